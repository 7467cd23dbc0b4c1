build/obj/error.o: core/error.c core/adl_core.h
core/adl_core.h:

build/obj/format.o: core/format.c core/adl_core.h
core/adl_core.h:

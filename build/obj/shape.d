build/obj/shape.o: core/shape.c core/adl_core.h
core/adl_core.h:

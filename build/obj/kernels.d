build/obj/kernels.o: core/kernels.c core/adl_core.h core/iter.h
core/adl_core.h:
core/iter.h:

build/obj/reduce.o: core/reduce.c core/adl_core.h core/iter.h
core/adl_core.h:
core/iter.h:

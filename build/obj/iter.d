build/obj/iter.o: core/iter.c core/iter.h core/adl_core.h
core/iter.h:
core/adl_core.h:

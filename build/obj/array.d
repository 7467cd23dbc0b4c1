build/obj/array.o: core/array.c core/adl_core.h core/trace.h core/ops.def
core/adl_core.h:
core/trace.h:
core/ops.def:

build/obj/ops.o: core/ops.c core/trace.h core/adl_core.h core/ops.def
core/trace.h:
core/adl_core.h:
core/ops.def:

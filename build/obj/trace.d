build/obj/trace.o: core/trace.c core/trace.h core/adl_core.h core/ops.def
core/trace.h:
core/adl_core.h:
core/ops.def:

build/obj/rules.o: core/rules.c core/trace.h core/adl_core.h core/ops.def
core/trace.h:
core/adl_core.h:
core/ops.def:

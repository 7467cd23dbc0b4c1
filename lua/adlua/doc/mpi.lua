-- Docstrings of adlua.mpi (docs/mpi.md).
return {
["mpi.rank"] = [=[
rank() returns this process's rank in MPI_COMM_WORLD, 0-based as in MPI (0 .. size() - 1); 0 when the script runs without mpirun. MPI starts on the first call of any adlua.mpi function and finishes at exit.
    local mpi = require "adlua.mpi"
    if mpi.rank() == 0 then print("root") end]=],
["mpi.size"] = [=[
size() returns the number of processes in MPI_COMM_WORLD (1 without mpirun).
    local shard = math.ceil(n / mpi.size())]=],
["mpi.wtime"] = [=[
wtime() returns wall-clock seconds since some fixed moment in the past (MPI_Wtime): the difference of two calls times a stretch of work on this rank.
    local t0 = mpi.wtime(); train(); print(mpi.wtime() - t0, "s")]=],
["mpi.barrier"] = [=[
barrier() waits until every process has called it.
    mpi.barrier()]=],
["mpi.allreduce"] = [=[
allreduce(x, op) combines x over all processes and returns the result on every one; x is a number, an array or a nested table of them (all leaves in one MPI call), op is "sum" (default), "mean", "max" or "min". The table's structure and the arrays' shapes must match on every rank.
    local g = mpi.allreduce(ad.grad(loss)(params, xs, ts), "mean")]=],
["mpi.bcast"] = [=[
bcast(x, root) returns root's x on every process (root 0-based, default 0); x is a number, string, boolean, array or nested table of them. Other ranks' x is ignored (nil is fine).
    params = mpi.bcast(mpi.rank() == 0 and init() or nil)]=],
["mpi.gather"] = [=[
gather(x, root) collects each process's x on root (default 0) as a list indexed by rank + 1; other ranks get nil.
    local all = mpi.gather(mpi.rank())   -- on rank 0: {0, 1, ..., size-1}]=],
}

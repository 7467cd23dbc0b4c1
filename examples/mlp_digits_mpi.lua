-- The digits network trained data-parallel over MPI, the way PyTorch's
-- DistributedDataParallel and Horovod do it: every rank holds the same
-- parameters, computes the gradient on its own shard of the batch, and the
-- gradients are summed with one allreduce; every rank then takes the same
-- step. The same script runs unchanged with one process.
--
--   build/adlua examples/mlp_digits_mpi.lua [params.npz]
--   mpirun -np 4 build/adlua examples/mlp_digits_mpi.lua [params.npz]
--   ADLUA_SMOKE=1 ...   (a few iterations)
--
-- The loss is the mean cross-entropy over the WHOLE batch, so each shard's
-- part is its sum divided by the full batch size, and the summed gradients
-- are the full-batch gradient: the final parameters match a one-process run
-- to rounding (the tests check 1e-10 on 1, 2 and 4 ranks). Every 50
-- iterations the ranks check that their parameters are still identical.

local ad = require "adlua"
local each = require "adlua.each" -- pairs, safe from Debian 12's LuaJIT (docs/luajit.md)
local np = require "adlua.numpy"
local mpi = require "adlua.mpi"
local optim = require "adlua.optim"
local datasets = require "adlua.datasets"

local out_path = arg and arg[1]
local smoke = os.getenv("ADLUA_SMOKE") == "1"
local rank, size = mpi.rank(), mpi.size()

-- The batch: the first 1500 images (pixels scaled to 0..1, one-hot
-- targets); the remaining 297 are held out.
local digits = datasets.load_digits()
local n_train = 1500
local x_all = digits.data / 16
local t_all = np.equal(np.reshape(digits.target, { -1, 1 }), np.arange(10))
local x_test, y_test = x_all[{ { n_train + 1, -1 } }], digits.target[{ { n_train + 1, -1 } }]

-- This rank's shard: a contiguous block of rows, sizes differing by one.
local lo = math.floor(rank * n_train / size) + 1
local hi = math.floor((rank + 1) * n_train / size)
local x_shard, t_shard = x_all[{ { lo, hi } }], t_all[{ { lo, hi } }]

-- Initial weights from a fixed generator on rank 0, broadcast to all
-- (as DDP does, so ranks agree even if their generators did not).
local params
if rank == 0 then
  np.random.seed(0)
  local hidden = 32
  params = {
    W1 = np.random.normal(0, 0.1, { 64, hidden }), b1 = np.zeros(hidden),
    W2 = np.random.normal(0, 0.1, { hidden, 10 }), b2 = np.zeros(10),
  }
end
params = mpi.bcast(params)

local function logits(p, x) return np.dot(np.tanh(np.dot(x, p.W1) + p.b1), p.W2) + p.b2 end

-- This shard's part of the mean cross-entropy over the whole batch.
local function shard_loss(p)
  local z = logits(p, x_shard)
  local m = ad.stop_gradient(np.max(z, 2, true))
  local lse = np.log(np.sum(np.exp(z - m), 2, true)) + m
  return -np.sum(t_shard * (z - lse)) / n_train
end
local shard_grad = ad.grad(shard_loss)

local function accuracy(p)
  return np.mean(np.equal(np.argmax(logits(p, x_test), 2) - 1, y_test))
end

-- The ranks' parameters must stay identical: the largest difference
-- between any two ranks, over all parameters.
local function spread(p)
  local hi_p, lo_p = mpi.allreduce(p, "max"), mpi.allreduce(p, "min")
  local worst = 0
  for k in each(p) do worst = math.max(worst, np.max(hi_p[k] - lo_p[k])) end
  return worst
end

local iters = smoke and 20 or 300
mpi.barrier()
local t0 = mpi.wtime()
local trained = optim.adam(function(p) return mpi.allreduce(shard_grad(p), "sum") end, params, {
  num_iters = iters, step_size = 0.01,
  callback = function(p, i)
    if i % 50 == 0 or i == iters then
      local d = spread(p)
      if d ~= 0 then error(("iteration %d: parameters differ between ranks by %g"):format(i, d)) end
      local loss = mpi.allreduce(ad.value(shard_loss(p)), "sum")
      if rank == 0 then
        print(("iteration %4d  loss %.6f  (%d ranks, parameters identical)"):format(i, loss, size))
      end
    end
  end,
})

local seconds = mpi.wtime() - t0
if rank == 0 then
  print(("%.3f ms per iteration on %d ranks"):format(seconds / iters * 1e3, size))
  print(("test accuracy %.3f on %d held-out images, %d ranks, %d iterations"):format(
    accuracy(trained), y_test.shape[1], size, iters))
  if out_path then
    np.savez(out_path, trained)
    print("parameters written to " .. out_path)
  end
end

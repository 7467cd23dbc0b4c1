-- Docstrings of the differential operators (adlua, often `ad`), keyed by
-- the name users call them by. One paragraph, then a short example.
return {
["ad.grad"] = [=[
grad(f, argnum) returns a function computing the gradient of f, which must return a number or a one-element array, with respect to argument argnum: 1-based, default 1; a negative argnum counts from the end of the arguments given in each call (-1 is the last), as in every operator taking argnum; a table {1, 3} gives one gradient per listed argument, as several results (an argument listed twice gets its gradient at its last entry and zero at the others, as autograd's). The gradient has the form of the argument. Nest it for higher derivatives.
    local df = ad.grad(function(x) return np.sum(np.sin(x)) end)
    df(np.array({0, 1}))            --> [1.        0.54030231]
    ad.grad(function(x, y) return x * y^2 end, -1)(2, 5)   --> 20]=],
["ad.elementwise_grad"] = [=[
elementwise_grad(f, argnum) returns a function computing the gradient of sum(f(x)): for an elementwise f, the derivative at every point of an array at once. argnum as grad's (negative from the end, or a table).
    local d = ad.elementwise_grad(np.tanh)
    d(np.linspace(-1, 1, 3))        --> [0.41997434 1.         0.41997434]]=],
["ad.value_and_grad"] = [=[
value_and_grad(f, argnum) returns a function giving both f's value and its gradient with respect to argument argnum (as grad's: negative from the end, or a table), in one forward and one backward pass.
    local vg = ad.value_and_grad(function(x) return x^2 end)
    vg(3)                           --> 9  6]=],
["ad.jit"] = [=[
jit(f) returns a function computing what f computes, recorded once per signature (the shapes and dtypes of the array arguments, the values of the other arguments) and replayed in C afterwards: f's forward pass and the backward passes of the grads inside it run without entering Lua per operation. A value f reads out of its arrays into Lua (item, ad.value, totable) is a guard: when it comes out differently, f is recorded again; comparisons, where and sign are recorded and computed afresh. Inside f, values computed from its array arguments are arrays, 0-d ones too (ad.value gives a number) (after 3 such recordings in a row, the signature runs f directly). Random draws and side effects such as printing happen only when f is recorded; f runs as written inside grad & co. jf.stats counts recordings, replays, guard_failures and direct calls. See docs/jit.md.
    local step = ad.jit(ad.grad(loss))
    for i = 1, 1000 do w = w - step(w, X, t) * 0.001 end]=],
["ad.value"] = [=[
value(x) returns the plain value of a traced array or number (a Lua number for a 0-d value), so it can be printed or stored without being part of the trace.
    ad.grad(function(x) print(ad.value(x)); return x * x end)(2)]=],
["ad.check_grads"] = [=[
check_grads(f, opts)(x...) compares f's derivatives against central differences along fixed random directions, in the given modes and up to the given order, and raises an error naming the discrepancy when they disagree; returns true otherwise. The differentiated arguments are perturbed jointly (several as one flattened table), so derivatives across arguments are checked too: by default every number, array or table argument, or those of opts.argnum (a number or a table, negative from the end, as grad's). Options: modes ({"rev", "fwd"}), order (2), argnum, eps (1e-6), rtol (1e-5), atol (1e-6); a float32 argument is checked in float32 with eps 1e-3, rtol 1e-2, atol 1e-3 unless given.
    ad.check_grads(np.tanh, {modes = {"rev"}, order = 2})(np.array({0.5, 1}))
    ad.check_grads(function(x, y) return np.tanh(x * y) end, {argnum = {1, 2}})(np.array({0.5, 1}), 2)]=],
["ad.grad_and_aux"] = [=[
grad_and_aux(f, argnum) is for an f returning loss, aux: the returned function gives the gradient of the loss and the auxiliary value unchanged.
    local g, aux = ad.grad_and_aux(function(w) return np.sum(w^2), "note" end)(np.ones(2))]=],
["ad.jacobian"] = [=[
jacobian(f, argnum) returns a function computing the full Jacobian of f with respect to argument argnum (one whole number, default 1, negative from the end); its shape is the output shape followed by the input shape (a table argument or output counts as its flat vector). f runs once, then one sweep per output or per input element, whichever are fewer.
    ad.jacobian(function(x) return x * 2 end)(np.ones(2))   --> [[2. 0.] [0. 2.]]]=],
["ad.hessian"] = [=[
hessian(f, argnum) returns a function computing jacobian(jacobian(f, argnum), argnum), as autograd defines it: an array of shape output shape .. input shape .. input shape, so the matrix of second derivatives for a scalar f and one such matrix per output element otherwise (argnum: one whole number, negative from the end). For a scalar f it costs one evaluation of f and of its gradient, then one sweep per input element.
    ad.hessian(function(x) return np.sum(x^3) end)(np.array({1, 2}))   --> [[ 6.  0.] [ 0. 12.]]
    ad.hessian(function(x) return x^3 end)(np.array({1, 2})).shape      --> {2, 2, 2}]=],
["ad.make_vjp"] = [=[
make_vjp(f, argnum)(x...) returns vjp, value: vjp(g) is the vector-Jacobian product of the cotangent g with f's Jacobian at x (reverse mode).
    local vjp, y = ad.make_vjp(np.sin)(np.zeros(2)); vjp(np.ones(2))]=],
["ad.make_jvp"] = [=[
make_jvp(f, argnum)(x...) returns a function of a tangent v giving value, jvp: the Jacobian-vector product in forward mode (each call runs f once, with forward rules).
    local y, t = ad.make_jvp(np.exp)(np.zeros(2))(np.ones(2))]=],
["ad.hessian_vector_product"] = [=[
hessian_vector_product(f, argnum) returns hvp(x..., v): the Hessian of scalar f times v (of argument argnum's shape), without forming the Hessian; a negative argnum counts from the end of the arguments before v.
    ad.hessian_vector_product(function(x) return np.sum(x^2) end)(np.ones(2), np.ones(2))]=],
["ad.debug_nans"] = [=[
debug_nans(on) switches NaN hunting on (true or no argument) or off (false): while on, the first operation whose result holds a NaN or an Inf, in the forward or the backward pass, raises an error naming the operation and the line of the script that called it. Returns the previous setting. Costs one scan of every result.
    ad.debug_nans(true)
    ad.grad(function(x) return np.sum(np.log(x)) end)(np.array({1, -1}))   --> error: np.log: produced NaN or Inf from finite values (debug_nans), called at script.lua:2]=],
["ad.blas_info"] = [=[
blas_info() returns a table describing the OpenBLAS kernels in use: corename (e.g. "Haswell" or "SkylakeX"), threads, and auto (true when adlua chose the kernels because OpenBLAS did not recognise the CPU). `adlua -v` prints the same.
    ad.blas_info().corename         --> "SkylakeX"]=],
["ad.set_num_threads"] = [=[
set_num_threads(n) sets how many threads np.exp, np.log and np.tanh may split a large array over (from 131,072 values, 32,768 for tanh) and returns the previous number. The default is the number of cores (at most 8), or ADLUA_NUM_THREADS from the environment; 1 never splits. Results are the same to the bit for every setting. `adlua -v` prints the number in use.
    local before = ad.set_num_threads(1)   -- one core, e.g. beside other busy processes]=],
["ad.get_num_threads"] = [=[
get_num_threads() returns how many threads large elementwise work may use (see set_num_threads).
    ad.get_num_threads()   --> 2]=],
["ad.stop_gradient"] = [=[
stop_gradient(x) returns x treated as a constant: no gradient flows through it.
    ad.grad(function(x) return x * ad.stop_gradient(x) end)(3)   --> 3]=],
["ad.checkpoint"] = [=[
checkpoint(f) returns a function with f's values and gradients (any order, either mode) that, under a derivative, keeps none of f's intermediates on the tape and recomputes f in the backward pass instead, trading time for memory. f takes arrays and numbers (other values through a closure) and returns one array or number. The saving needs f's result to depend on the values traced at its arguments' level (the innermost derivative they are traced on, or an inner one) only through its arguments: when f also reads such a value another way (an upvalue, a global, a table field), or its arguments are on an ad.jit recording, f is recorded as usual, with the right gradients but no memory saved (pass such values as arguments instead); with no traced argument it simply calls f. See docs/operators.md.
    local g = ad.checkpoint(function(x) return np.tanh(np.tanh(x)) end)]=],
["ad.primitive"] = [=[
primitive(fn) makes a user's own differentiable operation from a Lua function; give its rules with defvjp (and defjvp).
    local cube = ad.primitive(function(x) return x^3 end)]=],
["ad.defvjp"] = [=[
defvjp(p, maker1, maker2, ...) gives primitive p its reverse rules, autograd's convention: maker_k(ans, x1, x2, ...) returns function(g) giving the gradient with respect to argument k.
    ad.defvjp(cube, function(ans, x) return function(g) return g * 3 * x^2 end end)]=],
["ad.defjvp"] = [=[
defjvp(p, rule1, ...) gives primitive p its forward rules: rule_k(g, ans, x1, ...) returns the output tangent for argument k's tangent g.
    ad.defjvp(cube, function(g, ans, x) return g * 3 * x^2 end)]=],
["ad.flatten"] = [=[
flatten(tree) returns vector, unflatten for a nested table of arrays and numbers: vector is one 1-d array of all values; unflatten(v) rebuilds the same structure.
    local v, unflatten = ad.flatten({w = np.ones(2), b = 0})]=],
}

/* host.c: a host application that owns measurement data and asks a Lua
 * script to fit a curve to it (see docs/embedding.md).
 *
 *   cc host.c -o host $(pkg-config --cflags --libs adlua)
 *   ./host fit_curve.lua
 *
 * The host keeps its samples in plain C arrays, wraps them as adlua arrays
 * without copying, calls the script's fit function in a protected call, and
 * reads the fitted curve straight from its own buffer. It checks the fit
 * against the exact least-squares solution that it computes itself. */
#include <adlua.h>
#include <lauxlib.h>
#include <lualib.h>

#include <math.h>
#include <stdio.h>

#define N 50

/* The measurement: a parabola plus a deterministic wobble standing in for
 * noise. */
static void measure(double *t, double *y) {
    for (int i = 0; i < N; i++) {
        t[i] = -1.0 + 2.0 * i / (N - 1);
        y[i] = 1.5 - 0.8 * t[i] + 2.25 * t[i] * t[i] + 0.05 * sin(7.0 * i);
    }
}

/* Least squares by the normal equations (3x3, Gaussian elimination). */
static void least_squares(const double *t, const double *y, double p[3]) {
    double m[3][4] = {{0}};
    for (int i = 0; i < N; i++) {
        double f[3] = {1.0, t[i], t[i] * t[i]};
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++)
                m[r][c] += f[r] * f[c];
            m[r][3] += f[r] * y[i];
        }
    }
    for (int k = 0; k < 3; k++)
        for (int r = k + 1; r < 3; r++) {
            double q = m[r][k] / m[k][k];
            for (int c = k; c < 4; c++)
                m[r][c] -= q * m[k][c];
        }
    for (int r = 2; r >= 0; r--) {
        double s = m[r][3];
        for (int c = r + 1; c < 3; c++)
            s -= m[r][c] * p[c];
        p[r] = s / m[r][r];
    }
}

static int released;
static void note_release(void *ctx) {
    (void)ctx;
    released++;
}

int main(int argc, char **argv) {
    const char *script = argc > 1 ? argv[1] : "fit_curve.lua";
    double t[N], y[N], fitted[N] = {0};
    int64_t n = N;
    int status = 1;

    measure(t, y);
    /* Wrapped, not copied: release runs when Lua's last view goes. */
    adl_array *ta = adl_array_wrap(t, ADL_FLOAT64, 1, &n, note_release, NULL);
    adl_array *ya = adl_array_wrap(y, ADL_FLOAT64, 1, &n, note_release, NULL);
    adl_array *fa = adl_array_wrap(fitted, ADL_FLOAT64, 1, &n, note_release, NULL);
    if (!ta || !ya || !fa) {
        fprintf(stderr, "host: %s\n", adl_errmsg());
        return 1;
    }

    lua_State *L = adlua_newstate(); /* luaL_newstate() would do too */
    luaL_openlibs(L);
    adlua_openlibs(L); /* require "adlua" now works, no LUA_PATH needed */

    if (luaL_loadfile(L, script) != 0 || adlua_pcall(L, 0, 1) != 0) {
        fprintf(stderr, "host: %s\n", lua_tostring(L, -1));
        goto done;
    }
    /* fit(t, y, fitted, steps, rate): Lua takes its own references. */
    adlua_pusharray(L, ta);
    adlua_pusharray(L, ya);
    adlua_pusharray(L, fa);
    lua_pushinteger(L, 2000);
    lua_pushnumber(L, 0.5);
    if (adlua_pcall(L, 5, 4) != 0) {
        fprintf(stderr, "host: the script failed:\n%s\n", lua_tostring(L, -1));
        goto done;
    }
    double p[3], exact[3] = {0}, loss = lua_tonumber(L, -1);
    for (int k = 0; k < 3; k++)
        p[k] = lua_tonumber(L, -4 + k);
    lua_pop(L, 4);

    least_squares(t, y, exact);
    double worst = 0, worst_curve = 0;
    for (int k = 0; k < 3; k++)
        worst = fmax(worst, fabs(p[k] - exact[k]));
    for (int i = 0; i < N; i++) {
        double e = exact[0] + exact[1] * t[i] + exact[2] * t[i] * t[i];
        worst_curve = fmax(worst_curve, fabs(fitted[i] - e));
    }
    printf("fit:   a = %.6f  b = %.6f  c = %.6f  (mean squared error %.6f)\n", p[0], p[1], p[2],
           loss);
    printf("exact: a = %.6f  b = %.6f  c = %.6f\n", exact[0], exact[1], exact[2]);
    printf("largest difference: parameters %.2e, fitted curve in the host's buffer %.2e\n", worst,
           worst_curve);
    status = worst < 1e-6 && worst_curve < 1e-6 ? 0 : 1;
    if (status != 0)
        fprintf(stderr, "host: the fit is off\n");

done:
    adl_array_release(ta);
    adl_array_release(ya);
    adl_array_release(fa);
    adlua_close(L); /* Lua's references go: each release callback runs once */
    printf("release callbacks: %d of 3\n", released);
    if (released != 3)
        status = 1;
    adl_thread_cleanup();
    return status;
}

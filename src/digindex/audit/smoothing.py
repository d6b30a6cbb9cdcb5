"""A cubic smoothing spline with its penalty chosen by REML (Wahba's GML) or by GCV.

For distinct knots t_1 < … < t_m with weights w_i (the number of observations tied at t_i) and
values Ȳ_i (their mean), the natural cubic spline ĝ minimising

    Σ_i w_i (Ȳ_i − g(t_i))² + α ∫ g''(t)² dt

has values ĝ = (W + αK)⁻¹ W Ȳ at the knots, K = Q R⁻¹ Qᵀ, with h_i = t_{i+1} − t_i and, for
j = 2..m−1, Q[j−1, j] = 1/h_{j−1}, Q[j, j] = −1/h_{j−1} − 1/h_j, Q[j+1, j] = 1/h_j and R
tridiagonal with R[j, j] = (h_{j−1} + h_j)/3, R[j, j+1] = R[j+1, j] = h_j/6 (Green & Silverman
1994, §2.1–2.3). In the Demmler–Reinsch basis M = W^{−1/2} K W^{−1/2} = U diag(d) Uᵀ, with
z = Uᵀ W^{1/2} Ȳ, every α costs one product: ĝ = W^{−1/2} U diag(1/(1 + α d)) z, and the
trace of the hat matrix (W + αK)⁻¹ W is tr(α) = Σ_j 1/(1 + α d_j). M's null space
W^{1/2}·span{1, t} (straight lines, d = 0) is taken exactly from a QR factorisation and M is
decomposed on its complement only, so a large α gives the weighted least-squares line however
close two knots are. Knots are the distinct x values, values closer than 10⁻⁶ of the range of x
being merged (closer knots make K numerically singular).

The penalty α is chosen on a grid of log α (x rescaled to [0, 1], so one grid suits every
scale), refined by a bounded scalar search, minimising either

- ``reml`` (default): the restricted likelihood of the spline's mixed-model form, Wahba's
  generalised maximum likelihood: the smoothing spline is the posterior mean when the
  penalised coordinates z_j (j ≥ 3) are N(0, σ²·v_j), v_j = 1 + 1/(α d_j), the two line
  coordinates are fixed, and the N − m within-tie deviations are N(0, σ²). With σ² profiled out,

      −2ℓ_R(α) = Σ_{j≥3} ln v_j + (N − 2)·ln σ̂²,  σ̂² = (Σ_{j≥3} z_j²/v_j + SS_within)/(N − 2);

- ``gcv``: GCV(α) = m·Σ_i w_i (Ȳ_i − ĝ_i)² / (m − tr(α))² (Craven & Wahba 1979).

REML is the default because GCV is known to undersmooth, occasionally all the way to
interpolation, in samples of the size of an index (tens of units); REML is far less prone to
it (Wahba 1985; Reiss & Ogden 2009; Wood 2011). For a given α the fit equals
``scipy.interpolate.make_smoothing_spline(t, Ȳ, w, lam=α)``; this version is vectorised
over α, which is much faster for the many small fits of an audit.

References: Green P.J., Silverman B.W. (1994) Nonparametric Regression and Generalized Linear
Models, Chapman & Hall, ch. 2–3; Craven P., Wahba G. (1979) Numer. Math. 31, 377–403; Wahba G.
(1985) "A comparison of GCV and GML for choosing the smoothing parameter in the generalized
spline smoothing problem", Ann. Statist. 13(4), 1378–1402; Reiss P.T., Ogden R.T. (2009) JRSS B
71(2), 505–523; Wood S.N. (2011) JRSS B 73(1), 3–36.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar

GRID = np.linspace(-10.0, 6.0, 97)  # log10 α for x on [0, 1]
TIE = 1e-6  # x values closer than TIE·range are one knot (closer knots make K ill-conditioned)


def _knots(s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(knots, knot index of each value, count per knot): sorted values of ``s`` merged when
    closer than TIE to the previous one; each knot is the mean of its values."""
    order = np.argsort(s, kind="stable")
    new = np.concatenate([[True], np.diff(s[order]) > TIE])
    group = np.cumsum(new) - 1
    inv = np.empty(s.size, dtype=int)
    inv[order] = group
    w = np.bincount(inv)
    return np.bincount(inv, weights=s) / w, inv, w


def penalty_matrix(t: np.ndarray) -> np.ndarray:
    """K = Q R⁻¹ Qᵀ of the natural cubic spline roughness penalty at knots ``t`` (m ≥ 3)."""
    t = np.asarray(t, float)
    m = t.size
    h = np.diff(t)
    Q = np.zeros((m, m - 2))
    R = np.zeros((m - 2, m - 2))
    for j in range(1, m - 1):
        c = j - 1
        Q[j - 1, c] = 1.0 / h[j - 1]
        Q[j, c] = -1.0 / h[j - 1] - 1.0 / h[j]
        Q[j + 1, c] = 1.0 / h[j]
        R[c, c] = (h[j - 1] + h[j]) / 3.0
        if c + 1 < m - 2:
            R[c, c + 1] = R[c + 1, c] = h[j] / 6.0
    return Q @ np.linalg.solve(R, Q.T)


def smoothing_spline_fit(x, y, alpha: float | None = None, criterion: str = "reml"
                         ) -> tuple[np.ndarray, float]:
    """(ĝ at each x, α) of the cubic smoothing spline of ``y`` on ``x`` (finite, ≥ 3 distinct x).

    ``alpha`` (for x as given) fixes the penalty; ``None`` chooses it by ``criterion``
    (``reml`` or ``gcv``, see the module).
    """
    if criterion not in ("reml", "gcv"):
        raise ValueError(f"criterion must be 'reml' or 'gcv', not {criterion!r}")
    x, y = np.asarray(x, float), np.asarray(y, float)
    span = float(np.ptp(x)) if x.size else 0.0
    if span == 0:
        raise ValueError("a smoothing spline needs at least 3 distinct x values")
    s, inv, w = _knots((x - x.min()) / span)  # x on [0, 1]; α on s equals α·span³ on x
    m, n = s.size, y.size
    if m < 3:
        raise ValueError("a smoothing spline needs at least 3 distinct x values")
    ybar = np.bincount(inv, weights=y) / w
    sw = np.sqrt(w.astype(float))
    M = penalty_matrix(s) / np.outer(sw, sw)
    basis, _ = np.linalg.qr(np.column_stack([sw, sw * s]), mode="complete")
    Z = basis[:, 2:]
    d_in, V = np.linalg.eigh(Z.T @ M @ Z)
    U = np.column_stack([basis[:, :2], Z @ V])
    d_in = np.clip(d_in, max(d_in.max(), 1.0) * 1e-14, None)
    d = np.concatenate([[0.0, 0.0], d_in])
    z = U.T @ (sw * ybar)
    within = float(np.sum((y - ybar[inv]) ** 2))

    def fitted(a):
        shrink = 1.0 / (1.0 + np.multiply.outer(d, np.atleast_1d(a)))  # m × G
        return (U @ (z[:, None] * shrink)) / sw[:, None], shrink.sum(axis=0)

    def gcv(a):
        g, tr = fitted(a)
        rss = np.sum(w[:, None] * (ybar[:, None] - g) ** 2, axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(m - tr > 1e-9, m * rss / (m - tr) ** 2, np.inf)

    def reml(a):
        v = 1.0 + 1.0 / np.multiply.outer(d_in, np.atleast_1d(a))  # (m−2) × G
        sigma2 = (np.sum(z[2:, None] ** 2 / v, axis=0) + within) / (n - 2)
        with np.errstate(divide="ignore"):
            return np.sum(np.log(v), axis=0) + (n - 2) * np.log(sigma2)

    if alpha is None:
        crit = reml if criterion == "reml" else gcv
        scores = crit(10.0 ** GRID)
        k = int(np.argmin(scores))
        lo, hi = GRID[max(k - 1, 0)], GRID[min(k + 1, GRID.size - 1)]
        best = minimize_scalar(lambda la: float(crit(10.0 ** la)[0]), bounds=(lo, hi),
                               method="bounded", options={"xatol": 1e-3})
        a_s = 10.0 ** (best.x if best.fun <= scores[k] else GRID[k])
    else:
        a_s = float(alpha) / span ** 3
    g, _ = fitted(a_s)
    return g[:, 0][inv], a_s * span ** 3

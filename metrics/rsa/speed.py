"""Measure RSA comparisons: rsatoolbox vs brainbench's vectorised code, same numbers, on 118 x 118 RDMs.

    python -m brainbench.metrics.rsa.speed

Prints seconds and the ratio for (a) one comparison, (b) 200 image-bootstrap comparisons and (c) one
split-half ceiling (20 split pairs), and the largest difference between the two implementations.
"""
from __future__ import annotations

import time

import numpy as np
import rsatoolbox

from .rdm import compare_many, compare_rdms, rdm_from_features


def _timed(fn, repeat=3):
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main(n: int = 118, n_bootstrap: int = 200) -> None:
    rng = np.random.default_rng(0)
    latent = rng.standard_normal((n, 20))
    a = rdm_from_features(latent @ rng.standard_normal((20, 500)) + rng.standard_normal((n, 500)))
    b = rdm_from_features(latent @ rng.standard_normal((20, 300)) + rng.standard_normal((n, 300)))
    ra, rb = rsatoolbox.rdm.RDMs(a[None]), rsatoolbox.rdm.RDMs(b[None])
    draws = [rng.integers(0, n, n) for _ in range(n_bootstrap)]

    t_ref, ref = _timed(lambda: rsatoolbox.rdm.compare(ra, rb, method="spearman")[0, 0])
    t_our, our = _timed(lambda: compare_rdms(a, b, "spearman"))
    print(f"one Spearman comparison: rsatoolbox {t_ref * 1e3:.2f} ms, brainbench {t_our * 1e3:.2f} ms, ratio {t_ref / t_our:.1f}x, |diff| {abs(ref - our):.1e}")

    def reference_bootstrap():
        # rsatoolbox's own bootstrap path: subsample patterns (copies of one image are not paired)
        return [rsatoolbox.rdm.compare(ra.subsample_pattern("index", d), rb.subsample_pattern("index", d), method="spearman")[0, 0] for d in draws]

    def our_bootstrap():
        return [compare_rdms(a, b, "spearman", np.bincount(d, minlength=n)) for d in draws]

    t_ref, ref = _timed(reference_bootstrap, 1)
    t_our, our = _timed(our_bootstrap, 1)
    print(f"{n_bootstrap} bootstrap comparisons: rsatoolbox {t_ref:.2f} s, brainbench {t_our:.2f} s, ratio {t_ref / t_our:.1f}x, max |diff| {np.max(np.abs(np.subtract(ref, our))):.1e}")

    halves = np.stack([a + 0.01 * rdm_from_features(rng.standard_normal((n, 50))) for _ in range(40)]).reshape(20, 2, n, n)
    t_ref, ref = _timed(lambda: [rsatoolbox.rdm.compare(rsatoolbox.rdm.RDMs(h[0][None]), rsatoolbox.rdm.RDMs(h[1][None]), method="spearman")[0, 0] for h in halves])
    t_our, our = _timed(lambda: compare_many(halves[:, 0], halves[:, 1], "spearman"))
    print(f"one split-half ceiling (20 pairs): rsatoolbox {t_ref * 1e3:.1f} ms, brainbench {t_our * 1e3:.1f} ms, ratio {t_ref / t_our:.1f}x, max |diff| {np.max(np.abs(np.subtract(ref, our))):.1e}")


if __name__ == "__main__":
    main()

"""Data shared by the spatial panel tests: Produc with its weights, lattices, test matrices.

Imported by the test modules beside it (pytest puts this folder on ``sys.path``).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import scipy.sparse as sp
from libpysal.weights import lat2W

import cityres
from cityres.spatial import Weights, contiguity, knn

#: The splm reference model on Munnell's Produc: y = log(gsp), x = log(pcap), log(pc),
#: log(emp), unemp.
FORMULA = "ln_gsp ~ ln_pcap + ln_pc + ln_emp + unemp"


@cache
def panel() -> cityres.CityPanel:
    """Produc (48 states × 1970–1986) with the logged columns of :data:`FORMULA`."""
    return cityres.datasets.load("produc").ln(["gsp", "pcap", "pc", "emp"])


@cache
def weights() -> Weights:
    """splm's ``usaww``: libpysal's states48.gal, row-standardised."""
    return Weights.from_libpysal(cityres.datasets.weights("produc")).row_standardise()


@cache
def lattice(side: int) -> np.ndarray:
    """Dense row-standardised rook contiguity of a ``side × side`` lattice (row-major)."""
    n = side * side
    W = np.zeros((n, n))
    for i in range(side):
        for j in range(side):
            for a, b in ((i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1)):
                if 0 <= a < side and 0 <= b < side:
                    W[i * side + j, a * side + b] = 1.0
    return W / W.sum(axis=1, keepdims=True)


@cache
def matrix(name: str) -> sp.csr_array:
    """The weights the log-determinant and trace tests run on, by name."""
    if name == "produc":
        return weights().sparse
    if name == "yrd":
        return contiguity(cityres.datasets.load("yrd_sim"), "queen").row_standardise().sparse
    if name == "lattice":
        return Weights.from_libpysal(lat2W(30, 30, rook=True)).row_standardise().sparse
    if name == "binary":
        return Weights.from_libpysal(lat2W(12, 12, rook=False)).sparse
    if name == "knn":
        return knn(cityres.datasets.load("yrd_sim"), k=4).row_standardise().sparse
    raise KeyError(name)

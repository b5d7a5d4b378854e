#!/usr/bin/env python3
"""Writes data/example-seeds.csv: a SIMULATED example of a matrix with replicates (5 seeds per
cell), for the tour and the tests. Each seed's value is the printed Mistral-7B-Instruct AUC
difference of Orgad et al. (Figure 3b) plus Gaussian noise (sd 0.02), rounded to 3 decimals,
from a fixed random seed: the same file every run. These are not measured values."""

import csv
import sys
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent.parent / "data"
SEEDS, NOISE = 5, 0.02

with open(DATA / "mistral-7b-instruct_auc-diff.csv", newline="") as handle:
    header, *lines = list(csv.reader(handle))
rng = np.random.default_rng(20250122)
out = csv.writer(sys.stdout if "-" in sys.argv[1:] else open(DATA / "example-seeds.csv", "w", newline=""),
                 lineterminator="\n")
out.writerow(["# name: Example with seeds (simulated): Mistral-7B-Instruct AUC difference"])
out.writerow(["train", "test", "seed", "value"])
for line in lines:
    for test, text in zip(header[1:], line[1:]):
        for seed, noise in enumerate(rng.normal(0.0, NOISE, SEEDS)):
            out.writerow([line[0], test, seed, f"{float(text) + noise:.3f}"])

"""h5pure against h5py: the same workloads through both, reported as time ratios.

``python benchmarks/run.py --quick`` runs it; ``benchmarks/README.md`` explains the output.
"""

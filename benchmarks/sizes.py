"""The size presets of the benchmark: ``full`` (the issue's numbers), ``quick``, ``smoke``."""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1 << 20


@dataclass(frozen=True)
class Sizes:
    """How big each workload is; every workload reads its numbers from here."""

    name: str
    contig_mib: int
    """Contiguous float64 dataset, written and read whole."""
    gzip_mib: int
    """Chunked float32 dataset, gzip+shuffle (and the same data with lzf)."""
    chunk_kib: int
    """Chunk size of the gzip and lzf datasets."""
    table_rows: int
    """Rows of the (rows, 64) float64 chunked table for single-row and fancy access."""
    row_ops: int
    """Random single-row reads, and as many writes."""
    fancy_rows: int
    """Sorted distinct rows read by one fancy selection."""
    unsorted_rows: int
    """Unsorted distinct rows read by one fancy selection (and about as many by a mask)."""
    groups: int
    """Groups created, each with 2 small datasets and 3 attributes, then walked."""
    attr_pairs: int
    """Attribute set+get pairs, cycling over ``attr_names`` names."""
    attr_names: int
    vlen_count: int
    """Variable-length strings written and read."""
    appends: int
    """One-row appends, each after a resize."""
    vds_elements: int
    """Elements of a 1-D float64 virtual dataset, read whole and strided."""
    vds_mappings: int
    """Its mappings (each onto its own source dataset in the same file)."""
    small_chunks: int
    """Chunks of 4 x 16 float32 (256 bytes, gzip) of a dataset read whole."""
    limit_mib: int
    """Buffer size used to measure the machine's limits."""

    @property
    def gzip_width(self) -> int:
        """Columns of the chunked float32 dataset: 4096 (16 KiB rows), fewer when tiny."""
        return min(4096, self.chunk_kib * 1024 // 4)

    @property
    def gzip_shape(self) -> tuple[int, int]:
        return (self.gzip_mib * MiB // (4 * self.gzip_width), self.gzip_width)

    @property
    def gzip_chunks(self) -> tuple[int, int]:
        return (self.chunk_kib * 1024 // (4 * self.gzip_width), self.gzip_width)

    @property
    def contig_shape(self) -> tuple[int, int]:
        return (self.contig_mib * MiB // (8 * 4096), 4096)


FULL = Sizes(
    name="full",
    contig_mib=512,
    gzip_mib=256,
    chunk_kib=4096,
    table_rows=100_000,
    row_ops=20_000,
    fancy_rows=2_000,
    unsorted_rows=10_000,
    groups=5_000,
    attr_pairs=10_000,
    attr_names=100,
    vlen_count=200_000,
    appends=10_000,
    vds_elements=80_000,
    vds_mappings=800,
    small_chunks=100_000,
    limit_mib=256,
)
QUICK = Sizes(
    name="quick",
    contig_mib=64,
    gzip_mib=32,
    chunk_kib=4096,
    table_rows=100_000,
    row_ops=2_000,
    fancy_rows=2_000,
    unsorted_rows=10_000,
    groups=300,
    attr_pairs=1_000,
    attr_names=100,
    vlen_count=20_000,
    appends=500,
    vds_elements=80_000,
    vds_mappings=800,
    small_chunks=100_000,
    limit_mib=64,
)
SMOKE = Sizes(
    name="smoke",
    contig_mib=1,
    gzip_mib=1,
    chunk_kib=256,
    table_rows=2_000,
    row_ops=50,
    fancy_rows=50,
    unsorted_rows=100,
    groups=5,
    attr_pairs=30,
    attr_names=10,
    vlen_count=200,
    appends=20,
    vds_elements=2_000,
    vds_mappings=20,
    small_chunks=200,
    limit_mib=1,
)
PRESETS = {s.name: s for s in (FULL, QUICK, SMOKE)}

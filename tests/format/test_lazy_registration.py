"""The registries filled on first use: each message type and chunk index type names the
module that registers it, so a lookup imports just that module."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from h5pure.format import messages
from h5pure.format.chunk_index import ChunkIndexType, base, chunk_index


@pytest.mark.parametrize("module", sorted(set(messages._MODULE_OF.values())))
def test_each_message_module_registers_the_types_named_for_it(module: str) -> None:
    code = f"""
import importlib
from h5pure.format import messages
importlib.import_module("h5pure.format.messages.{module}")
print(*sorted(messages._REGISTRY))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    named = {int(t) for t, m in messages._MODULE_OF.items() if m == module}
    assert named <= {int(t) for t in out}


def test_every_message_type_with_a_decoder_is_named() -> None:
    for module in set(messages._MODULE_OF.values()):
        importlib.import_module(f"h5pure.format.messages.{module}")
    assert set(messages._REGISTRY) == set(messages._MODULE_OF)
    for message_type in messages._MODULE_OF:
        assert messages.decoder_for(message_type) is messages._REGISTRY[message_type]


def test_a_type_without_a_decoder_has_none() -> None:
    assert messages.decoder_for(messages.MessageType.NIL) is None
    assert messages.decoder_for(0x7F) is None


@pytest.mark.parametrize("index_type", list(ChunkIndexType))
def test_every_chunk_index_type_is_found_in_the_module_named_for_it(
    index_type: ChunkIndexType,
) -> None:
    index = chunk_index(index_type)
    assert index.index_type == index_type
    assert type(index).__module__ == f"h5pure.format.chunk_index.{base._MODULE_OF[index_type]}"

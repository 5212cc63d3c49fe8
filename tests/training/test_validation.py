"""Validation passes: chunked as the cache suggests, with the same numbers as one pass."""

from __future__ import annotations

import pytest
import torch

from explorer.training.objective import CHUNK_BYTES, Validator, evaluate, validation_chunk


def test_chunks_are_the_largest_powers_of_two_within_the_byte_budget():
    for numbers in (1, 100, 2048, 35_000, 50_000, 10**8):
        chunk = validation_chunk(numbers)
        assert 32 <= chunk <= 512 and chunk & (chunk - 1) == 0
        assert chunk == 32 or chunk * numbers * 4 <= CHUNK_BYTES
        assert chunk == 512 or 2 * chunk * numbers * 4 > CHUNK_BYTES  # the largest that fits
    assert validation_chunk(10**8) == 32 and validation_chunk(1) == 512


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_a_chunked_pass_gives_the_numbers_of_one_pass(task):
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(5, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3)).eval()
    x = torch.randn(103, 5)
    y = torch.randint(0, 3, (103,)) if task == "classification" else torch.randn(103, 3)
    whole = evaluate(module, x, y, task, chunk=512)
    chunked = evaluate(module, x, y, task, chunk=8)
    assert chunked[0] == pytest.approx(whole[0], rel=1e-6)
    assert chunked[1] == whole[1]
    validator = Validator(module, x, y, task, chunk=8)
    assert validator()[0] == pytest.approx(whole[0], rel=1e-6)

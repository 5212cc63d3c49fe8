"""Property: for every kind in the catalogue, random parameters and inputs, the inferred output shape
and parameter count equal what the built torch module really produces."""

from __future__ import annotations

import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from explorer.graph import all_kinds, get_kind
from explorer.graph.modules import normalised_adjacency
from explorer.graph.shapes import layer_param_count
from explorer.graph.spec import ShapeProblem, TensorSpec

# Small upper bounds keep each example fast; lower bounds come from the catalogue.
CAPS = {"out_channels": 6, "out_features": 12, "kernel_size": 5, "stride": 3, "padding": 2, "dilation": 2,
        "output_padding": 2, "output_size": 4, "scale_factor": 3, "hidden_size": 6, "num_layers": 2,
        "num_embeddings": 30, "embedding_dim": 8, "num_heads": 4, "nhead": 4, "dim_feedforward": 16,
        "max_len": 12}

dims = st.integers(1, 6)
images = st.tuples(st.integers(1, 4), st.integers(1, 12), st.integers(1, 12))
sequences = st.tuples(st.integers(1, 6), st.integers(1, 6))


def _param_value(draw, param):
    if param.type == "int":
        return draw(st.integers(int(param.min), min(int(param.max), CAPS.get(param.name, 8))))
    if param.type == "float":
        return draw(st.floats(param.min, min(param.max, 0.9), allow_nan=False))
    if param.type == "bool":
        return draw(st.booleans())
    if param.type == "choice":
        return draw(st.sampled_from(param.choices))
    raise AssertionError(param.type)


@st.composite
def cases(draw, kind_name):
    """(params, input specs) for a kind; shape params and special inputs are drawn per kind."""
    kind = get_kind(kind_name)
    params = {p.name: _param_value(draw, p) for p in kind.params if p.type != "shape"}
    group = kind.group
    if kind_name == "Input":
        params["shape"] = list(draw(st.lists(dims, min_size=1, max_size=3)))
        return params, []
    if group in ("Convolution", "Pooling") or kind_name in ("BatchNorm2d", "Dropout2d"):
        return params, [TensorSpec(draw(images))]
    if kind_name == "BatchNorm1d":
        return params, [TensorSpec(tuple(draw(st.lists(dims, min_size=1, max_size=2))))]
    if kind_name in ("Add", "Concat"):
        count = draw(st.integers(2, 3))
        shape = draw(st.lists(dims, min_size=1, max_size=3))
        if kind_name == "Add":
            return params, [TensorSpec(tuple(shape))] * count
        axis = 0 if len(shape) == 3 else len(shape) - 1
        specs = []
        for _ in range(count):
            s = list(shape)
            s[axis] = draw(dims)
            specs.append(TensorSpec(tuple(s)))
        return params, specs
    if kind_name == "Embedding":
        return params, [TensorSpec((draw(dims),), "long")]
    if kind_name == "Reshape":
        shape = draw(st.lists(dims, min_size=1, max_size=3))
        target = list(reversed(shape))
        if draw(st.booleans()):
            target[draw(st.integers(0, len(target) - 1))] = -1
        params["shape"] = target
        return params, [TensorSpec(tuple(shape))]
    if group == "Attention":
        heads = params["num_heads" if "num_heads" in params else "nhead"]
        return params, [TensorSpec((draw(dims), heads * draw(st.integers(1, 3))))]
    if group == "Graph":  # per node: [F], the nodes being the batch
        return params, [TensorSpec((draw(dims),))]
    if group == "Sequence":
        return params, [TensorSpec(draw(sequences))]
    return params, [TensorSpec(tuple(draw(st.lists(dims, min_size=1, max_size=3))))]


def _example_input(spec: TensorSpec, params: dict, batch: int) -> torch.Tensor:
    if spec.dtype == "long":
        return torch.randint(0, params["num_embeddings"], (batch, *spec.shape))
    return torch.randn(batch, *spec.shape)


KIND_NAMES = [k.name for k in all_kinds()]


def test_every_kind_is_drawn_by_the_property_test():
    # A kind added to the catalogue without a strategy here would fall to the generic branch; this
    # test at least keeps the list of covered kinds visible and complete.
    assert len(KIND_NAMES) == len(set(KIND_NAMES)) >= 32


@pytest.mark.parametrize("kind_name", KIND_NAMES)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_inferred_shape_and_params_equal_torch(kind_name, data):
    kind = get_kind(kind_name)
    params, inputs = data.draw(cases(kind_name))
    params = kind.validate_params(params)
    try:
        kind.check_inputs(inputs)
        expected = kind.infer(params, inputs)
    except ShapeProblem:
        assume(False)
    module = kind.build(params, inputs).eval()
    batch = 2
    if kind.max_inputs == 0:
        args = [torch.randn(batch, *expected.shape)]
    else:
        args = [_example_input(s, params, batch) for s in inputs]
    kwargs = {}
    if kind.needs_adjacency:  # the batch is the graph's nodes: a random graph over them
        kwargs["adjacency"] = normalised_adjacency(torch.randint(0, batch, (3, 2)), batch)
    with torch.no_grad():
        out = module(*args, **kwargs)
    assert tuple(out.shape) == (batch, *expected.shape)
    assert layer_param_count(kind_name, params, tuple(inputs)) == sum(p.numel() for p in module.parameters())

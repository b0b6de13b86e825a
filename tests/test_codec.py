import math

import numpy as np
import pytest
import torch

from llmpath.judge import codec


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        3,
        2**70,
        -0.0,
        1e-300,
        "héllo ## \n",
        b"\x00\xff",
        [1, [2, (3, 4)]],
        {"a": 1, "__t": "x"},
        {(256, 257): 258, (1, 2): 259},
        {1: "one"},
    ],
)
def test_round_trip(value):
    assert codec.decode(codec.encode(value)) == value


def test_non_finite_floats():
    out = codec.decode(codec.encode([math.inf, -math.inf, math.nan]))
    assert out[0] == math.inf and out[1] == -math.inf and math.isnan(out[2])


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.bool_, np.uint8, np.complex128])
def test_arrays_keep_dtype_shape_and_bits(dtype):
    arr = (np.random.default_rng(0).normal(size=(3, 4, 2)) * 100).astype(dtype)
    out = codec.decode(codec.encode({"a": arr}))["a"]
    assert out.dtype == arr.dtype and out.shape == arr.shape
    assert np.array_equal(out, arr)
    assert out.flags.writeable


def test_non_contiguous_and_scalar():
    arr = np.arange(12.0).reshape(3, 4).T
    assert np.array_equal(codec.decode(codec.encode(arr)), arr)
    assert codec.decode(codec.encode(np.float32(1.5))) == 1.5


def test_torch_tensors_become_numpy():
    t = torch.arange(6, dtype=torch.float64, requires_grad=True).reshape(2, 3) * 2
    out = codec.decode(codec.encode(t))
    assert isinstance(out, np.ndarray) and out.dtype == np.float64
    assert np.array_equal(out, t.detach().numpy())
    bf = codec.decode(codec.encode(torch.ones(2, dtype=torch.bfloat16)))
    assert bf.dtype == np.float32


@pytest.mark.parametrize("value", [object(), np.array([object()], dtype=object), {1, 2}, lambda: 1])
def test_unsupported_values_are_refused(value):
    with pytest.raises(codec.CodecError):
        codec.encode(value)


@pytest.mark.parametrize(
    "data",
    [
        b"not json",
        b'{"__t": "nd", "dtype": "object", "shape": [1], "v": ""}',
        b'{"__t": "nd", "dtype": "float64", "shape": [3], "v": "AAAA"}',
        b'{"__t": "pickle", "v": ""}',
        b'{"__t": "float", "v": "1e400"}',
    ],
)
def test_malformed_input_is_refused(data):
    with pytest.raises(codec.CodecError):
        codec.decode(data)

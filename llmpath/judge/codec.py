"""A safe wire format for probe results (child -> llmpath).

The child's output is untrusted, so it is never unpickled. Values are encoded as JSON with tagged
objects for what JSON lacks: numpy arrays (raw bytes + whitelisted dtype + shape), bytes, tuples,
dicts with non-string keys, and non-finite floats. Torch tensors are converted to numpy in the
child (bfloat16/float16 go to float32 so that no precision is invented or lost silently).
"""

from __future__ import annotations

import base64
import json
import math
import sys
from typing import Any

# dtypes the parent will reconstruct; anything else (object arrays!) is refused.
_DTYPES = {
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "complex64", "complex128",
}


class CodecError(ValueError):
    """A value cannot be sent over the wire (or a received frame is malformed)."""


def _to_jsonable(obj: Any, depth: int = 0) -> Any:
    if depth > 100:
        raise CodecError("value is nested too deeply")
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, int):
        return obj if abs(obj) < 2**63 else {"__t": "bigint", "v": str(obj)}
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else {"__t": "float", "v": repr(obj)}
    if isinstance(obj, bytes):
        return {"__t": "bytes", "v": base64.b64encode(obj).decode("ascii")}
    if isinstance(obj, (list, tuple)):
        items = [_to_jsonable(x, depth + 1) for x in obj]
        return items if isinstance(obj, list) else {"__t": "tuple", "v": items}
    if isinstance(obj, dict):
        if all(type(k) is str for k in obj):
            if "__t" in obj:
                return {"__t": "dict", "v": [[k, _to_jsonable(v, depth + 1)] for k, v in obj.items()]}
            return {k: _to_jsonable(v, depth + 1) for k, v in obj.items()}
        return {"__t": "dict", "v": [[_to_jsonable(k, depth + 1), _to_jsonable(v, depth + 1)] for k, v in obj.items()]}
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(obj, torch.Tensor):
        t = obj.detach().cpu()
        if t.dtype in (torch.bfloat16, torch.float16):
            t = t.float()
        return _to_jsonable(t.numpy(), depth)
    np = sys.modules.get("numpy")
    if np is not None:
        if isinstance(obj, np.ndarray):
            if obj.dtype.name not in _DTYPES:
                raise CodecError(f"arrays of dtype {obj.dtype} cannot be returned")
            arr = np.ascontiguousarray(obj)
            return {
                "__t": "nd",
                "dtype": arr.dtype.name,
                "shape": list(arr.shape),
                "v": base64.b64encode(arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()).decode("ascii"),
            }
        if isinstance(obj, np.generic):
            return _to_jsonable(obj.item(), depth)
    raise CodecError(f"values of type {type(obj).__name__} cannot be returned by a probe")


def encode(obj: Any) -> bytes:
    """Encode ``obj`` to bytes; raises CodecError for unsupported types."""
    return json.dumps(_to_jsonable(obj), separators=(",", ":")).encode("utf-8")


def _from_jsonable(obj: Any) -> Any:
    if isinstance(obj, list):
        return [_from_jsonable(x) for x in obj]
    if not isinstance(obj, dict):
        return obj
    tag = obj.get("__t")
    if tag is None:
        return {k: _from_jsonable(v) for k, v in obj.items()}
    value = obj.get("v")
    if tag == "float":
        if value not in ("nan", "inf", "-inf"):
            raise CodecError(f"bad float {value!r}")
        return float(value)
    if tag == "bigint":
        return int(value)
    if tag == "bytes":
        return base64.b64decode(value)
    if tag == "tuple":
        return tuple(_from_jsonable(x) for x in value)
    if tag == "dict":
        out = {}
        for k, v in value:
            k = _from_jsonable(k)
            out[tuple(k) if isinstance(k, list) else k] = _from_jsonable(v)
        return out
    if tag == "nd":
        import numpy as np

        dtype = obj.get("dtype")
        if dtype not in _DTYPES:
            raise CodecError(f"refusing array dtype {dtype!r}")
        shape = tuple(int(s) for s in obj["shape"])
        data = base64.b64decode(value)
        arr = np.frombuffer(data, dtype=np.dtype(dtype).newbyteorder("<"))
        if arr.size != math.prod(shape):
            raise CodecError("array size does not match its shape")
        return arr.reshape(shape).astype(np.dtype(dtype), copy=True)
    raise CodecError(f"unknown tag {tag!r}")


def decode(data: bytes) -> Any:
    """Decode bytes produced by ``encode``; raises CodecError on anything malformed."""
    try:
        return _from_jsonable(json.loads(data.decode("utf-8")))
    except CodecError:
        raise
    except Exception as exc:
        raise CodecError(f"malformed probe result: {exc}") from None

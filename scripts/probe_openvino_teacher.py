"""Would OpenVINO's bfloat16 kernels make the neural teacher fast enough, and close enough?

    .venv/bin/pip install openvino   # the probe's own need: not a dependency of corrector
    PYTHONPATH=. .venv/bin/python scripts/probe_openvino_teacher.py ARTICLE... [--precision bf16|f32]

CPUs with AVX-512 BF16 multiply bfloat16 matrices at about twice the float32 rate, and numpy has
no bfloat16 product. The probe writes the model's forward pass (``NeuralLM._run``: dense layers
on the real tokens, attention on rows right-padded to the longest, a suffix run attending to its
anchor's keys) and the vocabulary projection (``NeuralLM._gather``) as two OpenVINO graphs each,
compiled with the given inference precision, two streams of one thread each so that the
teacher's two chunks run side by side as they do with numpy. It collects the (window, variant)
pairs the teacher scores on the given articles (``corrector correct``'s default path, one call per
judgement round), scores each round with the shipped numpy forward and with OpenVINO, and prints
the time of both, the graphs' build and compile time (paid once per process), and how far the
gains (log10) moved.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from probe_int8_teacher import print_gain_errors, teacher_calls  # this directory is on sys.path as a script

import corrector.lm.neural as neural

NEGATIVE = np.float32(-1e30)  # an additive mask's "not visible" (finite: no NaN in bfloat16)


def _forward_graph(lm: neural.NeuralLM, past: bool, keep: bool) -> Any:
    """``NeuralLM._run`` as an OpenVINO model: inputs the flat tokens, their positions, their slots
    in (rows, length), an additive mask (rows, 1, 1, length, P + length) and, for a suffix run,
    the anchors' keys and values per layer with each row's anchor; outputs the final normalised
    states (flat) and, when ``keep``, each layer's padded keys and values."""
    import openvino as ov
    from openvino import opset13 as ops

    heads, kv_heads, head_dim, dim = lm.n_head, lm.n_kv_head, lm.head_dim, lm.dim
    group = heads // kv_heads

    def const(a: Any) -> Any:
        return ops.constant(np.ascontiguousarray(a, dtype=np.float32))

    def ints(*values: int) -> Any:
        return ops.constant(np.array(values, dtype=np.int64))

    tokens = ops.parameter([-1], np.int64, name="tokens")
    positions = ops.parameter([-1], np.int64, name="positions")
    slot = ops.parameter([-1], np.int64, name="slot")
    mask = ops.parameter([-1, 1, 1, -1, -1], np.float32, name="mask")
    parameters = [tokens, positions, slot, mask]
    earlier = []
    if past:
        rows_anchor = ops.parameter([-1], np.int64, name="past_rows")
        parameters.append(rows_anchor)
        for layer in range(lm.n_layer):
            keys = ops.parameter([-1, kv_heads, -1, head_dim], np.float32, name=f"past_k{layer}")
            values = ops.parameter([-1, kv_heads, -1, head_dim], np.float32, name=f"past_v{layer}")
            parameters += [keys, values]
            earlier.append((ops.gather(keys, rows_anchor, 0), ops.gather(values, rows_anchor, 0)))
    shape = ops.shape_of(mask)
    rows, length = ops.gather(shape, ints(0), 0), ops.gather(shape, ints(3), 0)
    x = ops.gather(const(lm.embedding), tokens, 0)
    cos = ops.unsqueeze(ops.gather(const(lm.cos), positions, 0), ints(1))
    sin = ops.unsqueeze(ops.gather(const(lm.sin), positions, 0), ints(1))

    def norm(v: Any, gain: np.ndarray) -> Any:
        mean = ops.reduce_mean(ops.multiply(v, v), ints(-1), True)
        return ops.multiply(ops.divide(v, ops.sqrt(ops.add(mean, const(np.float32(lm.eps))))), const(gain))

    def rope(v: Any, n: int) -> Any:  # (T, n · head_dim) → (T, n, head_dim), adjacent pairs rotated
        pairs = ops.reshape(v, ints(0, n, head_dim // 2, 2), True)
        halves = ops.split(pairs, ops.constant(np.int64(-1)), 2).outputs()
        even, odd = (ops.squeeze(part, ints(-1)) for part in halves)
        a = ops.subtract(ops.multiply(even, cos), ops.multiply(odd, sin))
        b = ops.add(ops.multiply(even, sin), ops.multiply(odd, cos))
        return ops.reshape(ops.concat([ops.unsqueeze(a, ints(-1)), ops.unsqueeze(b, ints(-1))], -1),
                           ints(0, n, head_dim), True)

    def padded(v: Any, n: int) -> Any:  # (T, n, head_dim) → (rows, n, length, head_dim)
        size = ops.concat([ops.multiply(rows, length), ints(n, head_dim)], 0)
        zeros = ops.broadcast(const(np.float32(0)), size)
        out = ops.scatter_update(zeros, slot, v, ops.constant(np.int64(0)))
        out = ops.reshape(out, ops.concat([rows, length, ints(n, head_dim)], 0), False)
        return ops.transpose(out, ints(0, 2, 1, 3))

    scale = const(np.float32(1.0 / math.sqrt(head_dim)))
    outputs = []
    for layer in range(lm.n_layer):
        w = lm._layer(layer)
        h = norm(x, w["attn_norm"])
        q = padded(rope(ops.matmul(h, const(w["attn_q"]), False, False), heads), heads)
        k = padded(rope(ops.matmul(h, const(w["attn_k"]), False, False), kv_heads), kv_heads)
        v = ops.reshape(ops.matmul(h, const(w["attn_v"]), False, False), ints(0, kv_heads, head_dim), True)
        v = padded(v, kv_heads)
        if keep:
            outputs += [k, v]
        if past:
            k, v = ops.concat([earlier[layer][0], k], 2), ops.concat([earlier[layer][1], v], 2)
        q = ops.reshape(q, ops.concat([rows, ints(kv_heads, group), length, ints(head_dim)], 0), False)
        scores = ops.add(ops.multiply(ops.matmul(q, ops.unsqueeze(k, ints(2)), False, True), scale), mask)
        out = ops.matmul(ops.softmax(scores, -1), ops.unsqueeze(v, ints(2)), False, False)
        out = ops.reshape(out, ops.concat([rows, ints(heads), length, ints(head_dim)], 0), False)
        out = ops.reshape(ops.transpose(out, ints(0, 2, 1, 3)), ints(-1, dim), False)
        x = ops.add(x, ops.matmul(ops.gather(out, slot, 0), const(w["attn_output"]), False, False))
        h = norm(x, w["ffn_norm"])
        gate = ops.matmul(h, const(w["ffn_gate"]), False, False)
        up = ops.matmul(h, const(w["ffn_up"]), False, False)
        x = ops.add(x, ops.matmul(ops.multiply(ops.swish(gate), up), const(w["ffn_down"]), False, False))
    return ov.Model([norm(x, lm.weights["output_norm.weight"]), *outputs], parameters, "forward")


def _head_graph(lm: neural.NeuralLM) -> Any:
    """log P(target | state) of each wanted (state row, target)."""
    import openvino as ov
    from openvino import opset13 as ops

    states = ops.parameter([-1, lm.dim], np.float32, name="states")
    wanted = ops.parameter([-1, 2], np.int64, name="wanted")
    logits = ops.matmul(states, ops.constant(np.ascontiguousarray(lm.output, dtype=np.float32)), False, False)
    return ov.Model([ops.gather_nd(ops.log_softmax(logits, -1), wanted)], [states, wanted], "head")


class OpenVINOForward:
    """``_run`` and ``_gather`` of :class:`~corrector.lm.neural.NeuralLM` in OpenVINO, as bound
    methods of this object to set on the class."""

    def __init__(self, lm: neural.NeuralLM, precision: str) -> None:
        import openvino as ov

        core = ov.Core()
        config = {"INFERENCE_PRECISION_HINT": precision, "INFERENCE_NUM_THREADS": 2, "NUM_STREAMS": 2}
        started = time.perf_counter()
        graphs = (_forward_graph(lm, False, True), _forward_graph(lm, True, False), _head_graph(lm))
        self.build_seconds = time.perf_counter() - started
        started = time.perf_counter()
        self.anchor, self.suffix, self.head = (core.compile_model(g, "CPU", config) for g in graphs)
        self.compile_seconds = time.perf_counter() - started
        self.n_layer = lm.n_layer

    def run(self, sequences: Any, offsets: Any, keep: bool = False, past: Any = None,
            past_rows: Any = None, past_visible: Any = None) -> tuple[list[np.ndarray], list[Any]]:
        rows, length = len(sequences), max(map(len, sequences))
        lengths = np.array([len(sequence) for sequence in sequences])
        feed: dict[str, np.ndarray] = {
            "tokens": np.fromiter((t for sequence in sequences for t in sequence), dtype=np.int64),
            "positions": np.concatenate([o + np.arange(n) for o, n in zip(offsets, lengths, strict=True)]),
            "slot": np.concatenate([r * length + np.arange(n) for r, n in enumerate(lengths)]),
        }
        causal = np.triu(np.full((length, length), NEGATIVE, dtype=np.float32), 1)
        if past is None:
            model = self.anchor
            feed["mask"] = np.ascontiguousarray(np.broadcast_to(causal, (rows, 1, 1, length, length)))
        else:
            model = self.suffix
            earlier = np.where(past_visible, 0.0, NEGATIVE).astype(np.float32)
            mask = np.concatenate([np.broadcast_to(earlier[:, None, :], (rows, length, earlier.shape[1])),
                                   np.broadcast_to(causal, (rows, length, length))], -1)
            feed["mask"] = np.ascontiguousarray(mask[:, None, None])
            feed["past_rows"] = np.asarray(past_rows, dtype=np.int64)
            for layer, (keys, values) in enumerate(past):
                feed[f"past_k{layer}"], feed[f"past_v{layer}"] = keys, values
        result = model.create_infer_request().infer(feed)
        out = [result[o] for o in model.outputs]
        kept = [(out[1 + 2 * i], out[2 + 2 * i]) for i in range(self.n_layer)] if keep else []
        return np.split(out[0], np.cumsum(lengths)[:-1]), kept

    def gather(self, states: np.ndarray, wanted: list[tuple[int, int, int]],
               logprobs: list[list[float]]) -> None:
        if not wanted:
            return
        which = np.array([(row, target) for row, target, _ in wanted], dtype=np.int64)
        feed = {"states": np.ascontiguousarray(states), "wanted": which}
        values = self.head.create_infer_request().infer(feed)
        for (_, _, member), value in zip(wanted, values[self.head.outputs[0]].tolist(), strict=True):
            logprobs[member].append(value)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("articles", nargs="+", type=Path)
    parser.add_argument("--precision", default="bf16", choices=["bf16", "f32"])
    args = parser.parse_args()

    corrector, rounds = teacher_calls(args.articles)
    lm = corrector.neural
    assert lm is not None

    def timed() -> tuple[np.ndarray, float]:
        out, seconds = [], 0.0
        for pairs in rounds:
            started = time.perf_counter()
            out += lm.gains(pairs)
            seconds += time.perf_counter() - started
        return np.array(out), seconds

    exact, exact_time = timed()
    forward = OpenVINOForward(lm, args.precision)
    shipped = neural.NeuralLM._run, neural.NeuralLM._gather
    neural.NeuralLM._run, neural.NeuralLM._gather = forward.run, forward.gather  # type: ignore[method-assign]
    try:
        timed()  # first runs of each shape
        approximate, fast_time = timed()
    finally:
        neural.NeuralLM._run, neural.NeuralLM._gather = shipped  # type: ignore[method-assign]
    print(f"{len(exact)} (window, variant) pairs in {len(rounds)} calls; numpy float32 {exact_time:.2f} s, "
          f"OpenVINO {args.precision} {fast_time:.2f} s ({exact_time / fast_time:.2f}x); "
          f"OpenVINO graphs built in {forward.build_seconds:.2f} s, "
          f"compiled in {forward.compile_seconds:.2f} s")
    print_gain_errors(exact, approximate, "OpenVINO − numpy")
    return 0


if __name__ == "__main__":
    sys.exit(main())

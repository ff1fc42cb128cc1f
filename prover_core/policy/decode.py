"""Fast autoregressive decoding for Qwen2-shaped causal LMs (transformers `Qwen2ForCausalLM`).

The decode step is our own per-layer loop over the model's weights, with a preallocated KV
cache and static shapes, so on CUDA it is captured once as a CUDA graph and replayed:

- q/k/v and gate/up are each one GEMM (fused weight rows); o_proj and down_proj add the
  residual inside the GEMM (`addmm`); RMSNorm is `F.rms_norm`; the softmax scale is folded
  into q's rotary tables.
- Attention is grouped-query without copies: q is viewed as [B, kv_heads, group, D], i.e.
  each KV head's `group` query heads are `group` queries of one SDPA head, so each K/V byte
  is read once per step (transformers' masked SDPA path repeats K/V per query head). With
  `attention="sdpa"` that is one memory-efficient-attention kernel (float32 scores and
  softmax inside); `"matmul"` is matmul + softmax + matmul with scores in the model dtype.
  The additive mask [B, 1, 1, T] is built once per step from `start` (first valid slot per
  row) and `slot`.
- Sampling runs eagerly after each replay, off the graph: its few small kernels queue behind
  the replay and the host never waits, except every `check_every` steps to stop early.

Invariants: prompts are left-padded; row b's tokens occupy cache slots [start[b], slot) and its
rotary position at slot s is s - start[b]. Graph inputs (`tok`, `slot`, `start`, caches, rotary
tables) are tensors that live as long as the graph and are only updated in place.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.nn.attention import SDPBackend, sdpa_kernel

# Masked decode attention: memory-efficient kernel (math where it cannot run, e.g. on CPU).
_DECODE_SDPA = [SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH]


@dataclass
class _Layer:
    ln1: Tensor
    ln2: Tensor
    eps: float
    w_qkv: Tensor
    b_qkv: Tensor | None
    w_o: Tensor
    w_gate_up: Tensor
    w_down: Tensor


@dataclass
class DecodeOutput:
    """Row b's sampled tokens and their raw log-probs; only the first `steps` columns ran."""

    tokens: Tensor  # [B, steps] int64, CPU
    logprobs: Tensor  # [B, steps] float32, CPU
    steps: int


@dataclass
class _State:
    """Static buffers of one (rows, cache length) shape; the graph reads and writes them."""

    tok: Tensor  # [B] token fed to the next step
    slot: Tensor  # [] cache slot of `tok`
    start: Tensor  # [B] first valid slot of each row
    k: Tensor  # [layers, B, kv_heads, T, D]
    v: Tensor
    ar: Tensor  # [T] arange
    rope: tuple[Tensor, Tensor, Tensor, Tensor]  # cos_k, sin_k, cos_q, sin_q: [>=T, D]
    logits: Tensor | None = None  # [B, V] float32, the graph's output
    graph: Any = None


def _fuse(linears: list[Any], in_place: bool) -> tuple[Tensor, Tensor | None]:
    """Concatenate the weight rows (and biases) of `linears` into one matrix.

    With `in_place`, each module's weight becomes a view of the fused matrix: the module still
    computes the same function and no memory is duplicated.
    """
    w = torch.cat([m.weight.detach() for m in linears], 0)
    has_bias = all(m.bias is not None for m in linears)
    b = torch.cat([m.bias.detach() for m in linears], 0) if has_bias else None
    if in_place:
        off = 0
        for m in linears:
            n = m.weight.shape[0]
            m.weight.data = w[off : off + n]
            if b is not None:
                m.bias.data = b[off : off + n]
            off += n
    return w, b


def _rope(x: Tensor, cos: Tensor, sin: Tensor) -> Tensor:
    """Rotary embedding, transformers' rotate-half convention; cos/sin broadcast over heads."""
    x1, x2 = x.chunk(2, dim=-1)
    return torch.addcmul(x * cos, torch.cat((-x2, x1), dim=-1), sin)


def sample_tokens(
    logits: Tensor, inv_temperature: float, top_p: float, greedy: bool
) -> tuple[Tensor, Tensor]:
    """Draw one token per row from float32 `logits` [B, V]; return it and its raw log-prob.

    Sampling uses the exponential race (argmax of z - log E, E ~ Exp(1)), equivalent to
    multinomial over softmax(z) with z = logits / temperature, top-p filtered.
    """
    lse = torch.logsumexp(logits, dim=-1)
    if greedy:
        nxt = logits.argmax(dim=-1)
    else:
        z = logits * inv_temperature
        if top_p < 1.0:
            z, order = z.sort(dim=-1, descending=True)
            probs = z.softmax(dim=-1)
            # Keep the shortest prefix whose mass reaches top_p (the first token always stays).
            z = z.masked_fill(probs.cumsum(dim=-1) - probs >= top_p, float("-inf"))
        e = torch.empty_like(z).exponential_().clamp_min_(1e-30)
        nxt = (z - e.log()).argmax(dim=-1)
        if top_p < 1.0:
            nxt = order.gather(-1, nxt[:, None]).squeeze(-1)
    lp = logits.gather(-1, nxt[:, None]).squeeze(-1) - lse
    return nxt, lp


class FastDecoder:
    """Batched sampling with our own decode loop over a transformers Qwen2 model's weights.

    `fuse_in_place` rebinds the model's q/k/v and gate/up weights as views of fused matrices
    (same values, no extra memory); such a model must not be saved with safetensors
    afterwards (shared storage). Without it the fused matrices are copies.
    """

    def __init__(
        self,
        model: Any,
        *,
        use_cuda_graphs: bool | None = None,
        fuse_in_place: bool = True,
        cache_bucket: int = 64,
        max_states: int = 2,
        attention: Literal["sdpa", "matmul"] = "sdpa",
    ) -> None:
        inner = model.model
        cfg = model.config
        attn0 = inner.layers[0].self_attn
        self.n_heads: int = cfg.num_attention_heads
        self.n_kv: int = cfg.num_key_value_heads
        self.head_dim: int = attn0.q_proj.weight.shape[0] // self.n_heads
        self.hidden: int = cfg.hidden_size
        self.scale: float = float(attn0.scaling)
        self.embed: Tensor = inner.embed_tokens.weight.detach()
        self.norm_w: Tensor = inner.norm.weight.detach()
        self.norm_eps: float = float(inner.norm.variance_epsilon)
        self.lm_head: Tensor = model.lm_head.weight.detach()
        self.rotary = inner.rotary_emb
        self.device: torch.device = self.embed.device
        self.dtype: torch.dtype = self.embed.dtype
        self.use_graphs = self.device.type == "cuda" if use_cuda_graphs is None else use_cuda_graphs
        if self.use_graphs and self.device.type != "cuda":
            raise ValueError("CUDA graphs need a model on a CUDA device")
        self.attention = attention
        self.cache_bucket = cache_bucket
        self.max_states = max_states
        # Keyed by (rows, cache length, attention kind); a graph bakes in the attention kind.
        self._states: OrderedDict[tuple[int, int, str], _State] = OrderedDict()
        self._rope_tables: tuple[Tensor, Tensor, Tensor, Tensor] | None = None
        self.capture_s: float = 0.0
        self.capture_errors: list[str] = []
        with torch.no_grad():
            self.layers = [self._layer(layer, fuse_in_place) for layer in inner.layers]

    def _layer(self, layer: Any, in_place: bool) -> _Layer:
        a, m = layer.self_attn, layer.mlp
        w_qkv, b_qkv = _fuse([a.q_proj, a.k_proj, a.v_proj], in_place)
        w_gu, _ = _fuse([m.gate_proj, m.up_proj], in_place)
        return _Layer(
            ln1=layer.input_layernorm.weight.detach(),
            ln2=layer.post_attention_layernorm.weight.detach(),
            eps=float(layer.input_layernorm.variance_epsilon),
            w_qkv=w_qkv,
            b_qkv=b_qkv,
            w_o=a.o_proj.weight.detach(),
            w_gate_up=w_gu,
            w_down=m.down_proj.weight.detach(),
        )

    def _rope_for(self, length: int) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """cos/sin tables for positions [0, >= length); q's copies carry the softmax scale."""
        if self._rope_tables is None or self._rope_tables[0].shape[0] < length:
            n = max(length, 2 * (0 if self._rope_tables is None else self._rope_tables[0].shape[0]))
            pos = torch.arange(n, device=self.device)[None]
            probe = torch.zeros(1, dtype=torch.float32, device=self.device)
            cos, sin = self.rotary(probe, pos)
            cos, sin = cos[0].float(), sin[0].float()
            d = self.dtype
            self._rope_tables = (
                cos.to(d),
                sin.to(d),
                (cos * self.scale).to(d),
                (sin * self.scale).to(d),
            )
        return self._rope_tables

    def _mlp_and_residual(self, lay: _Layer, x: Tensor) -> Tensor:
        h = F.rms_norm(x, (self.hidden,), lay.ln2, lay.eps)
        gate, up = F.linear(h, lay.w_gate_up).chunk(2, dim=-1)
        return torch.addmm(x, F.silu(gate) * up, lay.w_down.t())

    def _split_qkv(self, lay: _Layer, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        h = F.rms_norm(x, (self.hidden,), lay.ln1, lay.eps)
        qkv = F.linear(h, lay.w_qkv, lay.b_qkv)
        nq, nk = self.n_heads * self.head_dim, self.n_kv * self.head_dim
        q, k, v = torch.split(qkv, [nq, nk, nk], dim=-1)
        return q, k, v

    def _final_logits(self, x: Tensor) -> Tensor:
        h = F.rms_norm(x, (self.hidden,), self.norm_w, self.norm_eps)
        return F.linear(h, self.lm_head).float()

    def _step(self, st: _State) -> Tensor:
        """One decode step with static shapes: feed `tok` at `slot`, return float32 logits."""
        b, d, g = st.tok.shape[0], self.head_dim, self.n_heads // self.n_kv
        nh, nkv = self.n_heads, self.n_kv
        cos_k, sin_k, cos_q, sin_q = st.rope
        pos = st.slot - st.start
        # Rotary tables for q's heads then k's heads: [B, nh + nkv, D], one rope per layer.
        cos = torch.cat(
            (cos_q[pos][:, None].expand(b, nh, d), cos_k[pos][:, None].expand(b, nkv, d)), 1
        )
        sin = torch.cat(
            (sin_q[pos][:, None].expand(b, nh, d), sin_k[pos][:, None].expand(b, nkv, d)), 1
        )
        valid = (st.ar[None] >= st.start[:, None]) & (st.ar[None] <= st.slot)
        bias = torch.zeros(valid.shape, dtype=self.dtype, device=self.device)
        bias = bias.masked_fill_(~valid, float("-inf"))[:, None, None, :]  # [B, 1, 1, T]
        slot1 = st.slot.view(1)
        x = F.embedding(st.tok, self.embed)
        for i, lay in enumerate(self.layers):
            h = F.rms_norm(x, (self.hidden,), lay.ln1, lay.eps)
            qkv = F.linear(h, lay.w_qkv, lay.b_qkv)
            qk = _rope(qkv[:, : (nh + nkv) * d].view(b, nh + nkv, d), cos, sin)
            q = qk[:, :nh].view(b, nkv, g, d)
            kc, vc = st.k[i], st.v[i]
            kc.index_copy_(2, slot1, qk[:, nh:, None])
            vc.index_copy_(2, slot1, qkv[:, (nh + nkv) * d :].view(b, nkv, 1, d))
            if self.attention == "sdpa":  # the G query heads of a group act as G queries
                with sdpa_kernel(_DECODE_SDPA):
                    attn = F.scaled_dot_product_attention(q, kc, vc, attn_mask=bias, scale=1.0)
            else:  # scores rounded to the model dtype, as transformers' eager attention
                scores = torch.matmul(q, kc.transpose(-1, -2)) + bias  # [B, kv, G, T]
                attn = torch.matmul(torch.softmax(scores, dim=-1), vc)
            attn = attn.reshape(b, nh * d)
            x = torch.addmm(x, attn, lay.w_o.t())
            x = self._mlp_and_residual(lay, x)
        return self._final_logits(x)

    def _prefill(self, st: _State, ids: Tensor, mask: Tensor) -> Tensor:
        """Run the prompts [B, P] (left-padded), fill cache slots [0, P); last logits [B, V]."""
        b, p = ids.shape
        d, g = self.head_dim, self.n_heads // self.n_kv
        cos_k, sin_k, cos_q, sin_q = st.rope
        pos = (mask.long().cumsum(-1) - 1).clamp_min(0)
        ck, sk = cos_k[pos][:, :, None], sin_k[pos][:, :, None]  # [B, P, 1, D]
        cq, sq = cos_q[pos][:, :, None], sin_q[pos][:, :, None]
        ar = torch.arange(p, device=self.device)
        causal = ar[None, :] <= ar[:, None]
        # A padding query attends to itself only, so no row of the softmax is empty.
        allowed = (causal[None] & mask.bool()[:, None, :]) | torch.eye(
            p, dtype=torch.bool, device=self.device
        )
        allowed = allowed[:, None]  # [B, 1, P, P]
        x = F.embedding(ids, self.embed)
        for i, lay in enumerate(self.layers):
            q, k, v = self._split_qkv(lay, x)
            q = _rope(q.view(b, p, self.n_heads, d), cq, sq).transpose(1, 2)
            k = _rope(k.view(b, p, self.n_kv, d), ck, sk).transpose(1, 2)
            v = v.view(b, p, self.n_kv, d).transpose(1, 2)
            st.k[i, :, :, :p] = k
            st.v[i, :, :, :p] = v
            attn = F.scaled_dot_product_attention(
                q,
                k.repeat_interleave(g, dim=1),
                v.repeat_interleave(g, dim=1),
                attn_mask=allowed,
                scale=1.0,  # folded into q's rotary tables
            )
            attn = attn.transpose(1, 2).reshape(b, p, self.n_heads * d)
            x = x + F.linear(attn, lay.w_o)
            x = self._mlp_and_residual(lay, x.view(b * p, -1)).view(b, p, -1)
        return self._final_logits(x[:, -1])

    def _state_for(self, rows: int, length: int) -> _State:
        """A cached state with `rows` rows and at least `length` slots (at most twice as many:
        slots past the live ones are masked but still read), else a new one."""
        fits = [
            k
            for k in self._states
            if k[0] == rows and length <= k[1] <= 2 * length and k[2] == self.attention
        ]
        if fits:
            key = min(fits, key=lambda k: k[1])
            self._states.move_to_end(key)
            return self._states[key]
        key = (rows, length, self.attention)
        while len(self._states) >= self.max_states:
            self._states.popitem(last=False)
            if self.device.type == "cuda":
                torch.cuda.empty_cache()
        shape = (len(self.layers), rows, self.n_kv, length, self.head_dim)
        dev = self.device
        st = _State(
            tok=torch.zeros(rows, dtype=torch.long, device=dev),
            slot=torch.zeros((), dtype=torch.long, device=dev),
            start=torch.zeros(rows, dtype=torch.long, device=dev),
            k=torch.zeros(shape, dtype=self.dtype, device=dev),
            v=torch.zeros(shape, dtype=self.dtype, device=dev),
            ar=torch.arange(length, device=dev),
            rope=self._rope_for(length),
        )
        if self.use_graphs:
            self._capture(st)
        self._states[key] = st
        return st

    def _capture(self, st: _State) -> None:
        """Capture `_step` on `st`; if capture fails, `st` runs eagerly (`capture_errors`)."""
        t0 = time.perf_counter()
        side = torch.cuda.Stream()  # type: ignore[no-untyped-call]
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(2):  # warm-up: cuBLAS workspaces, lazy init (slot 0 is valid)
                self._step(st)
        torch.cuda.current_stream().wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        try:
            with torch.cuda.graph(graph):
                st.logits = self._step(st)
            st.graph = graph
        except RuntimeError as e:
            st.logits, st.graph = None, None
            self.capture_errors.append(f"{type(e).__name__}: {e}")
        torch.cuda.synchronize()
        self.capture_s += time.perf_counter() - t0

    def rows_for(self, batch: int) -> int:
        """Rows actually run for `batch` sequences: a power of two with graphs."""
        return 1 << (batch - 1).bit_length() if self.use_graphs else batch

    @torch.no_grad()
    def generate(
        self,
        input_ids: Tensor,
        attention_mask: Tensor,
        *,
        max_new_tokens: int,
        temperature: float,
        top_p: float = 1.0,
        stop_mask: Tensor | None = None,
        check_every: int = 8,
        on_logits: Callable[[int, Tensor], None] | None = None,
    ) -> DecodeOutput:
        """Sample up to `max_new_tokens` per row of the left-padded prompts [B, P].

        `temperature == 0` is greedy. `stop_mask` [V] marks terminating tokens: decoding ends
        early once every row has produced one (checked every `check_every` steps); tokens after
        a row's terminator are garbage. Seed torch's default generator for reproducibility.
        `on_logits(step, logits)` sees each step's raw float32 logits [rows, V] (for checks).
        """
        b, p = input_ids.shape
        if b == 0:
            empty = torch.zeros(0, 0)
            return DecodeOutput(empty.long(), empty, 0)
        rows = self.rows_for(b)
        length = p + max_new_tokens
        length = -(-length // self.cache_bucket) * self.cache_bucket if self.use_graphs else length
        ids = input_ids.to(self.device)
        mask = attention_mask.to(self.device)
        if rows > b:  # filler rows repeat row 0; their results are dropped
            ids = torch.cat([ids, ids[:1].expand(rows - b, -1)])
            mask = torch.cat([mask, mask[:1].expand(rows - b, -1)])
        st = self._state_for(rows, length)
        greedy = temperature == 0
        inv_t = 0.0 if greedy else 1.0 / temperature
        out_tok = torch.zeros(rows, max_new_tokens, dtype=torch.long, device=self.device)
        out_lp = torch.zeros(rows, max_new_tokens, dtype=torch.float32, device=self.device)
        stop = None if stop_mask is None else stop_mask.to(self.device)
        done = torch.zeros(rows, dtype=torch.bool, device=self.device)
        st.start.copy_(mask.shape[1] - mask.long().sum(-1))
        logits = self._prefill(st, ids, mask)
        st.slot.fill_(p)
        steps = 0
        for i in range(max_new_tokens):
            if i > 0:
                if st.graph is not None:
                    st.graph.replay()
                    assert st.logits is not None
                    logits = st.logits
                else:
                    logits = self._step(st)
                st.slot.add_(1)
            if on_logits is not None:
                on_logits(i, logits)
            nxt, lp = sample_tokens(logits, inv_t, top_p, greedy)
            out_tok[:, i] = nxt
            out_lp[:, i] = lp
            st.tok.copy_(nxt)
            steps = i + 1
            if stop is not None:
                done |= stop[nxt]
                if steps % check_every == 0 and bool(done[:b].all()):
                    break
        return DecodeOutput(out_tok[:b, :steps].cpu(), out_lp[:b, :steps].cpu(), steps)

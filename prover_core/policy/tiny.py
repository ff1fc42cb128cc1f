"""A tiny random-initialised Qwen2 policy with a byte-level BPE tokenizer, for tests and
CPU runs. Nothing is downloaded: the tokenizer is trained on the given texts in seconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

EOS_TOKEN = "<|endoftext|>"
# Qwen2's pre-tokenizer split (transformers' Qwen2Tokenizer re-applies it on load in 5.x, so the
# tokenizer is trained with it too: same tokens whichever class loads it).
QWEN2_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)


def build_tiny_tokenizer(texts: Iterable[str], vocab_size: int = 512) -> object:
    """A `PreTrainedTokenizerFast` whose EOS is also its pad token.

    Like Qwen2's, some tokens join a newline to the text before it (")\\n", "\\n\\n"); the
    byte-level alphabet holds "\\n" alone, so a newline is always a token the model can emit.
    """
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(QWEN2_SPLIT), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[EOS_TOKEN],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(list(texts), trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, eos_token=EOS_TOKEN, pad_token=EOS_TOKEN, padding_side="left"
    )


def build_tiny_policy(
    texts: Iterable[str],
    out_dir: Path,
    *,
    vocab_size: int = 512,
    hidden: int = 128,
    layers: int = 2,
    heads: int = 4,
    kv_heads: int = 2,
    intermediate: int = 256,
    seed: int = 0,
) -> Path:
    """Save a tokenizer and a random Qwen2 into `out_dir`; both load with `Auto*.from_pretrained`.

    The defaults give head dim 32 (the least vLLM's CPU backend accepts) and grouped-query
    attention (2 query heads per KV head), like the real model.
    """
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    tokenizer = build_tiny_tokenizer(texts, vocab_size)
    eos_id = tokenizer.eos_token_id  # type: ignore[attr-defined]
    config = Qwen2Config(
        vocab_size=len(tokenizer),  # type: ignore[arg-type]
        hidden_size=hidden,
        intermediate_size=intermediate,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=kv_heads,
        max_position_embeddings=4096,
        tie_word_embeddings=False,
        bos_token_id=eos_id,
        eos_token_id=eos_id,
        pad_token_id=eos_id,
    )
    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(config)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)  # type: ignore[attr-defined]
    return out_dir

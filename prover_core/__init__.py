"""leanstep's core: the Lean layer, the policy, search and the service facade.

Importing this package is cheap: torch, transformers, vllm and ray are imported only inside
the modules that wrap them.
"""

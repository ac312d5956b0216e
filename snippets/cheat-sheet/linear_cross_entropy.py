"""LinearCrossEntropyLoss is CrossEntropyLoss of the logits x @ W.T (+ b) from the linear layer it owns: the same categorical NLL, without materialising the logits.

Cheat sheet, the `LinearCrossEntropyLoss` row (new in torch 2.13). Its
signature is (in_features, num_classes, *, bias=False, ..., options=None): the
module holds the classifier's weight, and forward takes features, not logits.
options=None is the reference path; the chunked path that never holds all
(N, C) logits at once needs options=nn.LinearCrossEntropyOptions().
"""

# %%
import warnings

import torch
from torch import nn

SEED = 0
torch.manual_seed(SEED)
N, D, C = 64, 12, 40  # N >= D and C > D: where chunking pays
x = torch.randn(N, D, dtype=torch.float64)
y = torch.randint(0, C, (N,))

# %%
# --8<-- [start:equals]
for bias, smoothing in ((False, 0.0), (True, 0.15)):
    lce = nn.LinearCrossEntropyLoss(D, C, bias=bias, label_smoothing=smoothing,
                                    dtype=torch.float64)
    with torch.no_grad():
        lce.linear.weight.normal_()  # weight (C, D), like nn.Linear
        if bias:
            lce.linear.bias.normal_()
    logits = x @ lce.linear.weight.T
    if bias:
        logits = logits + lce.linear.bias
    ce = nn.CrossEntropyLoss(label_smoothing=smoothing)(logits, y)
    assert torch.allclose(lce(x, y), ce), "= CrossEntropyLoss(x @ W.T + b, y)"

# the chunked path, opted into with options, gives the same loss ...
chunked = nn.LinearCrossEntropyLoss(D, C, bias=True, dtype=torch.float64,
                                    options=nn.LinearCrossEntropyOptions())
chunked.load_state_dict(lce.state_dict())
plain_ce = nn.CrossEntropyLoss()(logits, y)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    chunked_loss = chunked(x, y)
assert torch.allclose(chunked_loss, plain_ce), "options=LinearCrossEntropyOptions(): same loss"
assert not any("ignored" in str(c.message) for c in caught), "... and options were not ignored"
# ... but only for some settings: with label smoothing it warns and falls back
smoothed = nn.LinearCrossEntropyLoss(D, C, bias=True, label_smoothing=0.15,
                                     dtype=torch.float64,
                                     options=nn.LinearCrossEntropyOptions())
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    smoothed(x, y)
assert any("ignored" in str(c.message) for c in caught), "label_smoothing > 0: not chunked"

# gradients reach the weight it owns, as they would through nn.Linear
lce(x, y).backward()
assert lce.linear.weight.grad.shape == (C, D), "the loss owns the classifier weight"
# --8<-- [end:equals]

# %% [markdown]
# The gotcha: forward takes features, not logits. Logits of width C fed in
# raise a shape error unless C happens to equal in_features.

# %%
# --8<-- [start:gotcha]
try:
    lce(logits.detach(), y)
    raised = False
except RuntimeError:
    raised = True
assert raised, "logits (N, C) with C != in_features: an error, not a number"
# --8<-- [end:gotcha]

"""mse_loss of an (N, 1) output against an (N,) target compares every pair, and only warns.

Chapter "Mean squared error": a regression head usually returns shape (N, 1)
and a target vector has shape (N,). `F.mse_loss` broadcasts the two to (N, N),
issues a UserWarning and averages (ŷ_i − y_j)² over all pairs. That equals
mean_i (ŷ_i − ȳ)² + Var(y), so perfect predictions score 2 Var(y), and the
minimiser ignores the input and predicts ȳ for everyone.
"""

# %%
import warnings

import torch
import torch.nn.functional as F

SEED = 0
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float64)
N = 100
x = torch.randn(N, 1)
y = 2.3 * x.squeeze(1) - 0.7 + 0.2 * torch.randn(N)  # shape (N,)

# %%
# --8<-- [start:trap]
y_hat = y.unsqueeze(1).clone()  # perfect predictions, in a head's (N, 1) shape
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    pairs = F.mse_loss(y_hat, y, reduction="none")  # (N, N), and a warning
    wrong = F.mse_loss(y_hat, y).item()
right = F.mse_loss(y_hat.squeeze(1), y).item()  # make the shapes equal
# --8<-- [end:trap]
assert len(caught) == 2, "each call warns"
assert all(w.category is UserWarning for w in caught), "a UserWarning, not an error"
warning_text = str(caught[0].message).split(". ")[0] + "."
assert "different to the input size" in warning_text, "about the shapes"
assert pairs.shape == (N, N), "every prediction is compared with every target"
assert right == 0.0, "with equal shapes a perfect prediction scores 0"
two_var = 2 * y.var(correction=0).item()
assert abs(wrong / two_var - 1) < 1e-10, "with the trap it scores 2·Var(y)"

# %%
# --8<-- [start:gaussian]
with warnings.catch_warnings(record=True) as caught_gaussian:
    warnings.simplefilter("always")
    gauss_pairs = F.gaussian_nll_loss(y_hat, y, torch.ones(N, 1), reduction="none")
# --8<-- [end:gaussian]
assert gauss_pairs.shape == (N, N), "GaussianNLLLoss broadcasts the same way"
assert torch.allclose(gauss_pairs, 0.5 * pairs), "the same pairwise comparison, halved (var = 1)"
assert len(caught_gaussian) == 0, "and does not even warn"

# %%
# --8<-- [start:fit]
model = torch.nn.Linear(1, 1)
opt = torch.optim.LBFGS(model.parameters(), max_iter=500, tolerance_grad=1e-12,
                        tolerance_change=0, line_search_fn="strong_wolfe")


def closure():
    opt.zero_grad()
    loss = F.mse_loss(model(x), y)  # (N, 1) against (N,): the trap
    loss.backward()
    return loss


with warnings.catch_warnings(record=True):  # the same warning, at every step
    warnings.simplefilter("always")
    opt.step(closure)
slope, intercept = model.weight.item(), model.bias.item()
# --8<-- [end:fit]
assert abs(slope) < 1e-5, "the trapped fit ignores x (true slope 2.3)"
assert abs(intercept - y.mean().item()) < 1e-5, "and predicts the mean of y"
y_mean = y.mean().item()
print(f"UserWarning: {warning_text}")
print(f"trapped loss of perfect predictions {wrong:.4f} = 2 Var(y) = {two_var:.4f}")
print(f"trapped fit: slope {slope:.2e}, intercept {intercept:.4f}, mean of y {y_mean:.4f}")

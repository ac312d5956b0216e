"""MSELoss has no ½: its gradient is twice the unit-variance NLL's, which SGD feels and Adam does not.

Chapter "Mean squared error": `nn.MSELoss` computes mean (ŷ − y)², while the
Gaussian NLL with σ = 1 is mean ½(ŷ − y)² plus a constant. The factor 2 is a
factor 2 in the learning rate of plain SGD. Adam divides each step by a running
root-mean-square of the gradient, so a constant factor cancels (up to its ε).
"""

# %%
import torch
import torch.nn.functional as F

SEED = 0
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float64)
X = torch.randn(64, 3)
y = X @ torch.tensor([1.7, -0.6, 2.2]) + 0.4 * torch.randn(64)
w0 = torch.randn(3)


def mse(w):
    return F.mse_loss(X @ w, y)


def unit_nll(w):
    """GaussianNLLLoss with σ² = 1: ½ mean (ŷ − y)², since log 1 = 0."""
    return F.gaussian_nll_loss(X @ w, y, torch.ones(64))


def run(loss_fn, opt_class, lr, steps=50):
    """Train the weights of a linear model from w0; return them."""
    w = w0.clone().requires_grad_()
    opt = opt_class([w], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(w).backward()
        opt.step()
    return w.detach()


# %%
# --8<-- [start:gradient]
w = w0.clone().requires_grad_()
(g_mse,) = torch.autograd.grad(mse(w), w)
(g_nll,) = torch.autograd.grad(unit_nll(w), w)
assert torch.allclose(g_mse, 2 * g_nll, rtol=1e-12), "MSELoss's gradient is 2× the NLL's"
# --8<-- [end:gradient]

# %%
# --8<-- [start:optimisers]
lr = 0.03
SGD, Adam = torch.optim.SGD, torch.optim.Adam
w_sgd = run(mse, SGD, lr)
sgd_gap_same_lr = (w_sgd - run(unit_nll, SGD, lr)).abs().max().item()
sgd_gap_double_lr = (w_sgd - run(unit_nll, SGD, 2 * lr)).abs().max().item()
adam_gap = (run(mse, Adam, lr) - run(unit_nll, Adam, lr)).abs().max().item()
# --8<-- [end:optimisers]
assert sgd_gap_double_lr < 1e-12, "SGD on MSE = SGD on the NLL with twice the lr"
assert sgd_gap_same_lr > 1e-2, "with the same lr, SGD ends somewhere else"
assert adam_gap < 1e-6, "Adam takes the same steps for either loss"
print(f"SGD, same lr: {sgd_gap_same_lr:.3g}; doubled: {sgd_gap_double_lr:.1e}; Adam: {adam_gap:.1e}")

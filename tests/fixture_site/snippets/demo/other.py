"""A second snippet, so that editing one can be seen not to re-run the other."""

# %%
total = sum(range(10))
assert total == 45, "the sum of 0..9"
print(total)
share = total / 180

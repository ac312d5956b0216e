"""Two plus two is four, and a line is a line.

The line is $y = 2x$, with slope $\partial y/\partial x = 2$.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

# %%
# --8<-- [start:claim]
x = np.arange(4)
assert 2 + 2 == 4, "arithmetic"
slope = np.float64(2.0)
# --8<-- [end:claim]
print("checked")

# %%
fig, ax = plt.subplots(num="demo-line")
ax.plot(x, slope * x)
plt.show()

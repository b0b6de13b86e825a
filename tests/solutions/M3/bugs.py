"""Classic optimizer bugs as one-place patches on the M3 reference (and on two variants).

``BUGS`` patch ``reference/optimizers.py`` (VARIANT = "adamw"); ``VARIANT_BUGS[name]`` patch
``variants/<name>/optimizers.py`` to reach the Nesterov and RMSProp classes.
"""

from tests.judgeutil import Bug

BUGS = [
    Bug("sgd_rebinds_params", "p -= self.lr * g\n", "p = p - self.lr * g\n", expect="never change"),
    Bug("sgd_ascent", "p -= self.lr * g\n", "p += self.lr * g\n", expect="gradient ascent"),
    Bug("sgd_lr_twice", "p -= self.lr * g\n", "p -= self.lr * self.lr * g\n", expect="lr is applied twice"),
    Bug("momentum_dampening", "v += g\n", "v += (1 - self.beta) * g\n", expect="dampening"),
    Bug(
        "momentum_state_reset",
        "        for p, g, v in zip(self.params, grads, self.velocity):\n            v *= self.beta",
        "        self.velocity = [np.zeros_like(p) for p in self.params]\n"
        "        for p, g, v in zip(self.params, grads, self.velocity):\n            v *= self.beta",
        expect="does not persist between steps",
    ),
    Bug("momentum_nesterov_update", "p -= self.lr * v\n", "p -= self.lr * (self.beta * v + g)\n", expect="Nesterov's update"),
    Bug(
        "momentum_state_on_class",
        "        self.velocity = [np.zeros_like(p) for p in params]\n\n    def step(self, grads):\n"
        "        for p, g, v in zip(self.params, grads, self.velocity):\n            v *= self.beta",
        "        if not hasattr(Momentum, 'shared'):\n"
        "            Momentum.shared = [np.zeros_like(p) for p in params]\n"
        "        self.velocity = Momentum.shared\n\n    def step(self, grads):\n"
        "        for p, g, v in zip(self.params, grads, self.velocity):\n            v *= self.beta",
        expect="shared between instances",
    ),
    Bug(
        "adam_no_bias_correction",
        "m_hat = m / (1 - self.beta1 ** self.t)\n            v_hat = v / (1 - self.beta2 ** self.t)",
        "m_hat = m\n            v_hat = v",
        expect="3.16x torch's",
    ),
    Bug("adam_m_not_corrected", "m_hat = m / (1 - self.beta1 ** self.t)", "m_hat = m", expect="m is not bias-corrected"),
    Bug("adam_eps_inside_sqrt", "(np.sqrt(v_hat) + self.eps)", "np.sqrt(v_hat + self.eps)", expect="eps is inside the square root"),
    Bug("adam_betas_swapped", "self.beta1, self.beta2 = betas", "self.beta2, self.beta1 = betas", expect="swapped"),
    Bug("adam_t_not_incremented", "self.t += 1\n", "self.t = 1\n", expect="not incremented"),
    Bug(
        "adam_t_per_tensor",
        "        self.t += 1\n        for p, g, m, v in zip(self.params, grads, self.m, self.v):\n",
        "        for p, g, m, v in zip(self.params, grads, self.m, self.v):\n            self.t += 1\n",
        expect="once per parameter tensor",
    ),
    Bug(
        "adam_m_rebound",
        "m[...] = self.beta1 * m + (1 - self.beta1) * g",
        "m = self.beta1 * m + (1 - self.beta1) * g",
        expect="not carried between steps",
    ),
    Bug(
        "adam_wrong_default",
        "def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):\n",
        "def __init__(self, params, lr=1e-3, betas=(0.9, 0.99), eps=1e-8):\n",
        expect="the defaults must be betas=(0.9, 0.999)",
    ),
    Bug(
        "adamw_coupled_decay",
        "        for p in self.params:\n            p *= 1 - self.lr * self.weight_decay\n        super().step(grads)",
        "        super().step([g + self.weight_decay * p for p, g in zip(self.params, grads)])",
        expect="weight decay is coupled",
    ),
    Bug("adamw_decay_without_lr", "p *= 1 - self.lr * self.weight_decay", "p *= 1 - self.weight_decay", expect="misses the lr factor"),
    Bug("variant_misspelled", 'VARIANT = "adamw"', 'VARIANT = "adam-w"', expect="is not one of"),
]

VARIANT_BUGS = {
    "classic_forms": [
        Bug("nesterov_is_plain_momentum", "p += -self.beta * old + (1 + self.beta) * new", "p += new", expect="plain momentum"),
        Bug("momentum_classic_lr_sign", "v = self.beta * self.state.get(i, 0.0) - self.lr * g", "v = self.beta * self.state.get(i, 0.0) + self.lr * g"),
    ],
    "torch_arrangement": [
        Bug(
            "rmsprop_eps_inside_sqrt",
            'p -= self.defaults["lr"] * g / (np.sqrt(sq) + self.defaults["eps"])',
            'p -= self.defaults["lr"] * g / np.sqrt(sq + self.defaults["eps"])',
            expect="eps is inside the square root",
        ),
        Bug("rmsprop_no_one_minus_alpha", "sq += (1 - alpha) * g**2", "sq += g**2", expect="(1 - alpha) factor"),
        Bug(
            "adam_kingma_plain_eps",
            'denom = np.sqrt(st["exp_avg_sq"]) / math.sqrt(bias_correction2) + self.defaults["eps"]\n'
            '        p -= step_size * st["exp_avg"] / denom',
            'denom = np.sqrt(st["exp_avg_sq"]) + self.defaults["eps"]\n'
            '        p -= step_size * math.sqrt(bias_correction2) * st["exp_avg"] / denom',
            expect="before bias correction",
        ),
    ],
}

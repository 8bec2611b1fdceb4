"""Training: ``trainer.train(config)``, its loop, console output, distributed training.

The package is also the API's ``tfcourse.train(config, out=None, **overrides)``: calling it
trains (``tfcourse.api.train``).
"""

import sys
import types


class _CallablePackage(types.ModuleType):
    """This package, callable as ``tfcourse.api.train`` (a package attribute of ``tfcourse``
    cannot also be a function of the same name)."""

    def __call__(self, config=None, out=None, **overrides):
        from tfcourse import api
        return api.train(config, out, **overrides)


sys.modules[__name__].__class__ = _CallablePackage

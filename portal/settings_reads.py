"""`django.conf.settings` read at the speed of a plain attribute once configured.

Every `settings.NAME` read goes through `LazyObject.__getattribute__`, a Python method Django 5 added
so that a lazy object's proxy methods (`__eq__`, `__str__`, ...) hand over to the wrapped object's.
`LazySettings` keeps each value it has read in its own `__dict__`: the read is a dictionary look-up
wrapped in a Python call, about a hundred of them at every sign-in and every signed-in page
(benchmarks/README.md, "Sign-in: the client, settings and the one backend").

`install()`, called by PortalConfig.ready, gives the settings object a subclass of `LazySettings` whose
attribute reads are Python's own. Everything else stays `LazySettings`': the first read of a name (its
`__getattr__`, which keeps the value), `override_settings` and `configure()` (its `__setattr__` and
`__delattr__`, which forget the kept values). What differs: `settings.__eq__` and the other proxy
methods, read by name, are the lazy object's own instead of the settings' (nothing reads them so).
A class attribute read through the object comes from the subclass: `__module__` and `__doc__` are
LazySettings' (Django reads `settings.__module__` to find its French catalog: tested)."""

from django.conf import LazySettings, settings


class PlainReadSettings(LazySettings):
    __getattribute__ = object.__getattribute__
    # Read through the object, these now come from this class instead of LazySettings: Django finds
    # its own translation catalog next to the file of `settings.__module__` (trans_real), so the
    # settings object still says it comes from django.conf, as LazySettings' instances do.
    __module__ = LazySettings.__module__
    __doc__ = LazySettings.__doc__


# LazyObject's own `__class__` is a property answering the wrapped object's class: assigning it would
# change the class of Django's Settings object inside. The object's real class is set through the
# descriptor every object has.
_set_class = object.__dict__["__class__"].__set__


def install() -> None:
    if type(settings) is LazySettings:
        _set_class(settings, PlainReadSettings)

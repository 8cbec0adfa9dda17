"""Finding, registering and calling plugins: one pluggy ``PluginManager`` per Engine.

Plugins come from three places, in this order: govflow's built-ins (themselves plugins), the
``govflow`` entry-point group of installed distributions (unless
``GOVFLOW_DISABLE_PLUGIN_AUTOLOAD`` is set or the engine is built with ``autoload=False``), and
the plugins passed to the engine explicitly. ``GOVFLOW_DISABLED_PLUGINS=a,b`` blocks plugins by
name, built-ins included.

Hooks are called implementation by implementation (not through pluggy's combined call) so that
every answer can be attributed to the plugin that gave it, and so that a broken plugin is named
in the error it causes.
"""

from __future__ import annotations

import importlib.metadata
import logging
import operator
import os
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

import pluggy

from govflow import hookspecs
from govflow.errors import DefinitionError, PluginError
from govflow.org.schema import DEFAULT_SCHEMA, OrgSchema
from govflow.records import PluginRef

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "govflow"
AUTOLOAD_ENV = "GOVFLOW_DISABLE_PLUGIN_AUTOLOAD"
DISABLED_ENV = "GOVFLOW_DISABLED_PLUGINS"

#: Picks an implementation's arguments out of all of a hook's arguments, in the spec's order.
_Picker = Callable[[tuple[Any, ...]], tuple[Any, ...]]

#: A hook implementation resolved for calling: who, what, and how to pick its arguments out of
#: the hook's arguments given in the spec's order.
_Bound = tuple[PluginRef, Callable[..., Any], _Picker]

_HOOK_NAMES = frozenset(name for name in dir(hookspecs) if name.startswith("govflow_"))


def _builtin_plugins() -> list[tuple[str, object]]:
    from govflow.builtin import closed_loop, deadlines, routing  # noqa: PLC0415  (cycle)

    return [
        ("govflow.closed_loop", closed_loop),
        ("govflow.deadlines", deadlines),
        ("govflow.routing", routing),
    ]


def plugin_name(plugin: object) -> str:
    """The name a plugin passed explicitly registers under.

    Its ``govflow_name`` attribute if it has one (a plugin distribution sets it to its entry
    point's name, so that it is the same plugin whether found or passed); else a module's
    ``__name__``, any other object's class name.
    """
    explicit = getattr(plugin, "govflow_name", None)
    if isinstance(explicit, str):
        return explicit
    if isinstance(plugin, ModuleType):
        return plugin.__name__
    return type(plugin).__name__


def _picker(positions: tuple[int, ...]) -> _Picker:
    if not positions:
        return lambda _: ()
    if len(positions) == 1:
        (only,) = positions
        return lambda values: (values[only],)
    picked: _Picker = operator.itemgetter(*positions)
    return picked


def _misspelt_hooks(plugin: object) -> list[str]:
    return sorted(
        name
        for name in dir(plugin)
        if name.startswith("govflow_") and name != "govflow_name" and name not in _HOOK_NAMES
    )


class PluginHost:
    """The plugin manager of one engine, with attribution of every hook answer."""

    def __init__(
        self,
        plugins: Iterable[object] = (),
        *,
        autoload: bool | None = None,
        builtins: bool = True,
    ) -> None:
        self.manager = pluggy.PluginManager(hookspecs.PROJECT)
        self.manager.add_hookspecs(hookspecs)
        self._versions: dict[str, str | None] = {}
        self._bound: dict[str, tuple[_Bound, ...]] = {}
        disabled = {
            name.strip() for name in os.environ.get(DISABLED_ENV, "").split(",") if name.strip()
        }
        for name in disabled:
            self.manager.set_blocked(name)
        if builtins:
            from govflow import __version__  # noqa: PLC0415  (govflow imports this module)

            for name, plugin in _builtin_plugins():
                self._register(plugin, name, __version__)
        if autoload is None:
            autoload = not os.environ.get(AUTOLOAD_ENV)
        if autoload:
            self._load_entry_points()
        for plugin in plugins:
            if self.manager.is_registered(plugin):
                continue  # installed and passed explicitly too: one plugin, registered once
            self._register(plugin, plugin_name(plugin), getattr(plugin, "__version__", None))
        try:
            self.manager.check_pending()
        except pluggy.PluginValidationError as err:
            culprit = getattr(err, "plugin", None)
            named = self.manager.get_name(culprit) if culprit is not None else None
            raise PluginError(named or "?", str(err)) from None

    def _register(self, plugin: object, name: str, version: str | None) -> None:
        if self.manager.is_blocked(name):
            return
        misspelt = _misspelt_hooks(plugin)
        if misspelt:
            raise PluginError(
                name, f"defines {misspelt}, which are not govflow hooks (see govflow.hookspecs)"
            )
        if self.manager.get_plugin(name) is not None:
            raise PluginError(name, "a plugin with this name is registered already")
        try:
            self.manager.register(plugin, name=name)
        except pluggy.PluginValidationError as err:
            raise PluginError(name, str(err)) from None
        except ValueError as err:  # pluggy: the same object registered twice
            raise PluginError(name, str(err)) from None
        wrappers = [
            impl.function.__name__
            for caller in self.manager.get_hookcallers(plugin) or ()
            for impl in caller.get_hookimpls()
            if impl.plugin is plugin and (impl.hookwrapper or impl.wrapper)
        ]
        if wrappers:
            self.manager.unregister(plugin)
            raise PluginError(name, f"hook wrappers are not supported: {wrappers}")
        self._versions[name] = version
        self._bound.clear()

    def _load_entry_points(self) -> None:
        for dist in importlib.metadata.distributions():
            for entry in dist.entry_points:
                if entry.group != ENTRY_POINT_GROUP:
                    continue
                if self.manager.is_blocked(entry.name) or self.manager.get_plugin(entry.name):
                    continue
                try:
                    plugin = entry.load()
                except Exception as err:
                    raise PluginError(entry.name, f"failed to load: {err!r}") from err
                self._register(plugin, entry.name, dist.version)

    def ref(self, name: str) -> PluginRef:
        """Name and version of a registered plugin, as events record it."""
        return PluginRef(name, self._versions.get(name))

    def names(self) -> list[str]:
        """Names of the registered plugins, in registration order."""
        return list(self._versions)

    def hooks(self, name: str) -> list[str]:
        """The hooks the registered plugin ``name`` implements, sorted."""
        plugin = self.manager.get_plugin(name)
        callers = self.manager.get_hookcallers(plugin) if plugin is not None else None
        return sorted(caller.name for caller in callers or ())

    def has(self, name: str) -> bool:
        """True if a plugin of this name is registered (and not blocked)."""
        return self.manager.get_plugin(name) is not None

    def _impls(self, hook: str) -> tuple[_Bound, ...]:
        # Plugins are fixed once the engine is built, so each hook's implementations are
        # resolved once: this runs on every move.
        bound = self._bound.get(hook)
        if bound is None:
            caller = getattr(self.manager.hook, hook)
            spec = self._spec_args(hook)
            # pluggy calls the last-registered implementation first; keep its order.
            bound = tuple(
                (
                    self.ref(impl.plugin_name),
                    impl.function,
                    _picker(tuple(spec.index(name) for name in impl.argnames)),
                )
                for impl in reversed(caller.get_hookimpls())
            )
            self._bound[hook] = bound
        return bound

    def _spec_args(self, hook: str) -> tuple[str, ...]:
        spec = getattr(self.manager.hook, hook).spec
        return () if spec is None else tuple(spec.argnames)

    def _ordered(self, hook: str, kwargs: dict[str, Any]) -> tuple[Any, ...]:
        names = self._spec_args(hook)
        missing = [name for name in names if name not in kwargs]
        if missing:
            # Callers pass every argument: an implementation may ask for any of them.
            raise TypeError(f"{hook} was called without {missing}")
        return tuple(kwargs[name] for name in names)

    def collect(self, hook: str, **kwargs: Any) -> list[tuple[PluginRef, Any]]:
        """Every non-None answer to ``hook``, each with the plugin that gave it.

        A :class:`~govflow.errors.DefinitionError` raised by a plugin is re-raised as a
        :class:`~govflow.errors.PluginError` naming that plugin.
        """
        args = self._ordered(hook, kwargs)
        answers = []
        for impl in self._impls(hook):
            result = self._call(impl, args)
            if result is not None:
                answers.append((impl[0], result))
        return answers

    def first(self, hook: str, **kwargs: Any) -> tuple[PluginRef, Any] | None:
        """The first non-None answer to a firstresult ``hook``, with the plugin that gave it."""
        return self.first_args(hook, self._ordered(hook, kwargs))

    def first_args(self, hook: str, args: tuple[Any, ...]) -> tuple[PluginRef, Any] | None:
        """:meth:`first`, with every argument of the hook given in its spec's order.

        For the engine's per-move hooks: picking each implementation's arguments out of one
        tuple costs a fraction of building a keyword dict for every implementation.
        """
        for impl in self._impls(hook):
            result = self._call(impl, args)
            if result is not None:
                return impl[0], result
        return None

    def notify(self, hook: str, **kwargs: Any) -> None:
        """Call every implementation of a notification ``hook``; log, never raise, failures."""
        args = self._ordered(hook, kwargs)
        for ref, function, pick in self._impls(hook):
            try:
                function(*pick(args))
            except Exception:
                log.exception("plugin %s failed in %s", ref, hook)

    def org_schema(self, base: OrgSchema = DEFAULT_SCHEMA) -> OrgSchema:
        """``base`` merged with every schema the plugins contribute through
        ``govflow_org_schemas``; build the org graph with it.

        :raises PluginError: naming the plugin whose schema does not merge (a kind redefined in
            another layer, say) or is not a schema.
        """
        schema = base
        for ref, answer in self.collect("govflow_org_schemas"):
            for contributed in answer:
                if not isinstance(contributed, OrgSchema):
                    raise PluginError(ref.name, f"contributed {contributed!r}, not an OrgSchema")
                try:
                    schema = schema.merge(contributed, name=schema.name)
                except DefinitionError as err:
                    raise PluginError(ref.name, str(err)) from err
        return schema

    def is_implemented(self, hook: str) -> bool:
        """True if any registered plugin implements ``hook``."""
        return bool(self._impls(hook))

    @staticmethod
    def _call(impl: _Bound, args: tuple[Any, ...]) -> Any:
        ref, function, pick = impl
        try:
            # Positionally, in the implementation's own parameter order (pluggy's argnames).
            return function(*pick(args))
        except PluginError:
            raise
        except DefinitionError as err:
            raise PluginError(ref.name, str(err)) from err

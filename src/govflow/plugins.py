"""Finding, registering and calling plugins: one pluggy ``PluginManager`` per Engine.

Plugins come from three places, in this order: govflow's built-ins (themselves plugins), the
``govflow`` entry-point group of installed distributions (unless
``GOVFLOW_DISABLE_PLUGIN_AUTOLOAD`` is set or the engine is built with ``autoload=False``), and
the plugins passed to the engine explicitly. ``GOVFLOW_DISABLED_PLUGINS=a,b`` blocks plugins by
name, built-ins included (a built-in switched off so is logged as a warning). Only
distributions installed in a site-packages directory are autoloaded: a ``*.dist-info`` folder
planted in the working directory, or anywhere else on ``sys.path``, is ignored, with a warning.

Hooks are called through pluggy's own hook calling, so that plugin authors' hook wrappers and
pluggy's call monitoring (``add_hookcall_monitoring``, ``enable_tracing``) see every call. So
that every answer can still be attributed to the plugin that gave it, and a broken plugin be
named in the error it causes, each implementation is registered wrapped in a thin function
that notes which plugin answered (see :class:`_Answers`); a hook wrapper that replaces an
answer is credited with it.
"""

from __future__ import annotations

import functools
import importlib.metadata
import logging
import os
import site
import sysconfig
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
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


def _site_directories() -> frozenset[Path]:
    """Where installed distributions live: the environment's and the user's site-packages."""
    paths = sysconfig.get_paths()
    found = [paths["purelib"], paths["platlib"], *site.getsitepackages()]
    if site.ENABLE_USER_SITE:
        found.append(site.getusersitepackages())
    return frozenset(Path(p).resolve() for p in found)


def _installed(dist: importlib.metadata.Distribution) -> bool:
    """True if ``dist`` was installed into a site-packages directory (editable installs too:
    their metadata is there), not merely found on sys.path."""
    return Path(str(dist.locate_file(""))).resolve() in _site_directories()


DISABLED_ENV = "GOVFLOW_DISABLED_PLUGINS"

_HOOK_NAMES = frozenset(name for name in dir(hookspecs) if name.startswith("govflow_"))

#: Hooks whose implementations are told, not asked: a failing one is logged, never raised.
_NOTIFICATIONS = frozenset({"govflow_after_transition"})


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


class _Answers(threading.local):
    """The answers given during the hook calls under way in this thread, with who gave them.

    Each registered implementation is wrapped (:func:`_attributed`) to append ``(plugin,
    answer)`` here when it answers; a call of :class:`PluginHost` reads what was appended during
    it and takes it off again, so calls made from inside an implementation keep their own.
    """

    def __init__(self) -> None:
        self.given: list[tuple[PluginRef, Any]] = []


def _attributed(
    hook: str, ref: PluginRef, function: Callable[..., Any], answers: _Answers
) -> Callable[..., Any]:
    """``function`` as pluggy calls it, noting its answers and naming its plugin in errors."""
    notification = hook in _NOTIFICATIONS

    @functools.wraps(function)  # pluggy reads the argument names through __wrapped__
    def answer(*args: Any) -> Any:
        try:
            result = function(*args)
        except PluginError:
            raise
        except DefinitionError as err:
            raise PluginError(ref.name, str(err)) from err
        except Exception:
            if not notification:
                raise
            log.exception("plugin %s failed in %s", ref, hook)
            return None
        if result is not None:
            answers.given.append((ref, result))
        return result

    return answer


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
        self._answers = _Answers()
        self._callers: dict[str, tuple[pluggy.HookCaller, frozenset[str]]] = {}
        disabled = {
            name.strip() for name in os.environ.get(DISABLED_ENV, "").split(",") if name.strip()
        }
        for name in disabled:
            self.manager.set_blocked(name)
        builtin_names = {name for name, _ in _builtin_plugins()} if builtins else set()
        if disabled & builtin_names:
            log.warning(
                "built-in plugins switched off by %s: %s",
                DISABLED_ENV,
                ", ".join(sorted(disabled & builtin_names)),
            )
        if builtins:
            from govflow import __version__  # noqa: PLC0415  (govflow imports this module)

            for name, plugin in _builtin_plugins():
                self._register(plugin, name, __version__)
        if autoload is None:
            autoload = not os.environ.get(AUTOLOAD_ENV)
            if not autoload:
                log.warning("installed plugins not loaded: %s is set", AUTOLOAD_ENV)
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
        self._versions[name] = version
        ref = self.ref(name)
        for caller in self.manager.get_hookcallers(plugin) or ():
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin and not (impl.hookwrapper or impl.wrapper):
                    # The one place govflow reaches into pluggy's records: the implementation
                    # it calls becomes the attributing wrapper around the plugin's function.
                    impl.function = _attributed(  # type: ignore[misc]
                        caller.name, ref, impl.function, self._answers
                    )

    def _load_entry_points(self) -> None:
        for dist in importlib.metadata.distributions():
            if not _installed(dist):
                # A *.dist-info in the working directory (or any other stray path on sys.path)
                # is not an installed distribution: loading it would run whatever code sits
                # beside it, which is what planting it there is for.
                log.warning(
                    "not loading plugins of %r at %s: it is not an installed distribution",
                    dist.metadata["Name"],
                    dist.locate_file(""),
                )
                continue
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

    def _caller(self, hook: str, kwargs: dict[str, Any]) -> pluggy.HookCaller:
        found = self._callers.get(hook)
        if found is None:
            caller = getattr(self.manager.hook, hook)
            spec = caller.spec
            found = self._callers[hook] = (
                caller,
                frozenset(() if spec is None else spec.argnames),
            )
        caller, names = found
        if kwargs.keys() != names:
            spec_order = caller.spec.argnames if caller.spec is not None else ()
            missing = [name for name in spec_order if name not in kwargs]
            # Callers pass every argument: an implementation may ask for any of them.
            raise TypeError(
                f"{hook} was called without {missing}"
                if missing
                else f"{hook} has no arguments {sorted(kwargs.keys() - names)}"
            )
        return caller

    def _call(self, hook: str, kwargs: dict[str, Any]) -> tuple[Any, list[tuple[PluginRef, Any]]]:
        """Call ``hook`` through pluggy; its result and the answers given during the call."""
        caller = self._caller(hook, kwargs)
        given = self._answers.given
        mark = len(given)
        try:
            result = caller(**kwargs)
        except DefinitionError as err:  # raised by a hook wrapper: name the wrapping plugin
            if isinstance(err, PluginError):
                raise
            raise PluginError(self._wrapper_ref(hook).name, str(err)) from err
        finally:
            answers = given[mark:]
            del given[mark:]
        return result, answers

    def _credit(self, hook: str, answer: Any, answers: list[tuple[PluginRef, Any]]) -> PluginRef:
        """Who gave ``answer``: the implementation that returned it, else the hook wrapper
        that put it in its place (the outermost, if several wrap the hook)."""
        for ref, given in answers:
            if given is answer:
                return ref
        return self._wrapper_ref(hook)

    def _wrapper_ref(self, hook: str) -> PluginRef:
        wrappers = [
            impl
            for impl in getattr(self.manager.hook, hook).get_hookimpls()
            if impl.wrapper or impl.hookwrapper
        ]
        return self.ref(wrappers[-1].plugin_name) if wrappers else PluginRef("?")

    def collect(self, hook: str, **kwargs: Any) -> list[tuple[PluginRef, Any]]:
        """Every non-None answer to ``hook``, each with the plugin that gave it.

        A :class:`~govflow.errors.DefinitionError` raised by a plugin is re-raised as a
        :class:`~govflow.errors.PluginError` naming that plugin.
        """
        result, answers = self._call(hook, kwargs)
        return [(self._credit(hook, answer, answers), answer) for answer in result]

    def first(self, hook: str, **kwargs: Any) -> tuple[PluginRef, Any] | None:
        """The first non-None answer to a firstresult ``hook``, with the plugin that gave it."""
        result, answers = self._call(hook, kwargs)
        return None if result is None else (self._credit(hook, result, answers), result)

    def notify(self, hook: str, **kwargs: Any) -> None:
        """Call every implementation of a notification ``hook``; log, never raise, failures."""
        try:
            self._call(hook, kwargs)
        except Exception:
            log.exception("a hook wrapper failed in %s", hook)

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
        return bool(getattr(self.manager.hook, hook).get_hookimpls())

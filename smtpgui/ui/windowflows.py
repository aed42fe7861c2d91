"""The main window's flows, each made on its first use, and the actions, toolbar and menus that start them.

Start-up neither imports nor builds a flow: every action's slot looks its flow up when it fires
(:func:`~smtpgui.ui.firstuse.later`), and the flow is made then.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, cast

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QToolBar

from smtpgui.ui.actions import Shortcut, add_toolbar, fill_menu, make_action
from smtpgui.ui.cardmenu import CardMenu
from smtpgui.ui.firstuse import later

if TYPE_CHECKING:
    from smtpgui.ui.connectionflow import ConnectionFlow
    from smtpgui.ui.discoveryflow import DiscoveryFlow
    from smtpgui.ui.exchangeflow import ExchangeFlow
    from smtpgui.ui.inboxflow import InboxFlow
    from smtpgui.ui.mainwindow import MainWindow
    from smtpgui.ui.probeflow import ProbeFlow
    from smtpgui.ui.signinflow import SignInFlow
    from smtpgui.ui.testflow import TestFlow


class WindowFlows:
    """Mixed into :class:`~smtpgui.ui.mainwindow.MainWindow`: its flows and its actions."""

    new_action: QAction
    preset_action: QAction
    address_action: QAction
    duplicate_action: QAction
    delete_action: QAction
    default_action: QAction
    enable_action: QAction
    save_action: QAction
    revert_action: QAction
    test_action: QAction
    test_all_action: QAction
    detect_action: QAction
    import_action: QAction
    export_action: QAction
    quit_action: QAction
    find_action: QAction
    settings_action: QAction
    inbox_action: QAction
    toolbar: QToolBar
    card_menus: CardMenu

    @property
    def _window(self) -> MainWindow:
        return cast("MainWindow", self)

    @cached_property
    def connections(self) -> ConnectionFlow:
        from smtpgui.ui.connectionflow import ConnectionFlow

        w = self._window
        return ConnectionFlow(w, w.results, w)

    @cached_property
    def discovery(self) -> DiscoveryFlow:
        from smtpgui.ui.discoveryflow import DiscoveryFlow

        w = self._window
        return DiscoveryFlow(w, w.connections.new_connection, w)

    @cached_property
    def tests(self) -> TestFlow:
        from smtpgui.ui.testflow import TestFlow

        w = self._window
        flow = TestFlow(w, w.results, w)
        flow.test_all_running.connect(w.on_test_all_running)
        return flow

    @cached_property
    def sign_ins(self) -> SignInFlow:
        from smtpgui.ui.signinflow import SignInFlow

        return SignInFlow(self._window, self._window)

    @cached_property
    def probes(self) -> ProbeFlow:
        from smtpgui.ui.probeflow import ProbeFlow

        return ProbeFlow(self._window, self._window)

    @cached_property
    def exchange(self) -> ExchangeFlow:
        from smtpgui.ui.exchangeflow import ExchangeFlow

        return ExchangeFlow(self._window, self._window)

    @cached_property
    def inbox(self) -> InboxFlow:
        from smtpgui.ui.inboxflow import InboxFlow

        return InboxFlow(self._window, self._window)

    def _build_actions(self) -> None:
        w = self._window

        def a(text: str, slot: Callable[[], object], shortcut: Shortcut, name: str, icon: str = "") -> QAction:
            return make_action(w, text, slot, shortcut, name=name, icon=icon)

        # Each slot finds its flow when it fires: the flows are made on the first action that needs them.
        self.new_action = a("&New", later(lambda: w.connections.new_connection), "Ctrl+N", "newAction", "new")
        self.preset_action = a(
            "New from &preset…", later(lambda: w.connections.new_from_preset), "Ctrl+Shift+N", "presetAction", "preset"
        )
        self.address_action = a(
            "New from e-mail &address…", later(lambda: w.discovery.new_from_address), None, "addressAction"
        )
        self.duplicate_action = a(
            "&Duplicate", later(lambda: w.connections.duplicate), "Ctrl+D", "duplicateAction", "duplicate"
        )
        delete = QKeySequence.StandardKey.Delete
        self.delete_action = a("De&lete", later(lambda: w.connections.delete), delete, "deleteAction", "delete")
        self.default_action = a(
            "Set as &default", later(lambda: w.connections.set_default), None, "defaultAction", "default-star"
        )
        self.enable_action = a("&Enable/Disable", later(lambda: w.connections.toggle_enabled), None, "enableAction")
        self.save_action = a("&Save", later(lambda: w.connections.save), "Ctrl+S", "saveAction", "save")
        self.revert_action = a("&Revert", later(lambda: w.connections.revert), None, "revertAction")
        self.test_action = a("&Test…", later(lambda: w.tests.open_dialog), "Ctrl+T", "testAction", "test")
        self.test_all_action = a(
            "Test &all", later(lambda: w.tests.start_test_all), "Ctrl+Shift+T", "testAllAction", "test"
        )
        self.detect_action = a("Detect &settings", later(lambda: w.probes.detect), None, "detectAction", "detect")
        self.import_action = a(
            "&Import…", later(lambda: w.exchange.import_connections), "Ctrl+I", "importAction", "import"
        )
        self.export_action = a(
            "E&xport…", later(lambda: w.exchange.export_connections), "Ctrl+E", "exportAction", "export"
        )
        self.quit_action = a("&Quit", w.close, QKeySequence.StandardKey.Quit, "quitAction")
        self.find_action = a("Find", w.search.setFocus, QKeySequence.StandardKey.Find, "findAction")
        settings = lambda: w.connections.open_settings(w)  # noqa: E731
        self.settings_action = a("Se&ttings…", settings, "Ctrl+,", "settingsAction", "settings")
        self.inbox_action = a("&Inbox", later(lambda: w.inbox.toggle), "Ctrl+Shift+I", "inboxAction", "inbox")
        self.inbox_action.setCheckable(True)
        self.toolbar = add_toolbar(w, [
            (self.new_action, "newButton"), (self.preset_action, "presetButton"),
            (self.duplicate_action, "duplicateButton"), (self.delete_action, "deleteButton"),
            (self.default_action, "defaultButton"), (self.test_action, "toolbarTestButton"),
            (self.test_all_action, "testAllButton"), (self.detect_action, "detectButton"),
            (self.inbox_action, "inboxButton"),
        ])  # fmt: skip
        menu = w.menuBar()
        fill_menu(menu.addMenu("&File"), [self.import_action, self.export_action, None, self.settings_action, None,
                                          self.quit_action])  # fmt: skip
        fill_menu(menu.addMenu("&Connection"), [
            self.new_action, self.preset_action, self.address_action, self.duplicate_action, self.delete_action,
            self.default_action, self.enable_action, self.save_action, self.revert_action, self.test_action,
            self.test_all_action, self.detect_action,
        ])  # fmt: skip
        fill_menu(menu.addMenu("&View"), [self.inbox_action])
        entries = [self.test_action, self.duplicate_action, self.default_action, self.enable_action, None]
        self.card_menus = CardMenu(
            w.list,
            [*entries, self.delete_action],
            self.enable_action,
            w.current_connection,
            w,
            copy_as=lambda fmt: w.exchange.copy_settings(fmt),  # noqa: PLW0108 - the flow is made on first use
        )
        w.delegate.menu_requested.connect(self.card_menus.on_menu_button)
        w.update_actions()

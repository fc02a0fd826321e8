#!/usr/bin/python3
"""A notification server that lists only the capabilities named on its command line.

dunst always offers "actions"; some desktops do not. This server takes the name
org.freedesktop.Notifications on the session bus, answers GetCapabilities with its arguments,
and accepts every notification (dbus-monitor records them). It shows nothing and never
invokes an action.
"""
import itertools
import sys

from gi.repository import Gio, GLib

INTERFACE = """
<node>
  <interface name="org.freedesktop.Notifications">
    <method name="GetCapabilities"><arg type="as" direction="out"/></method>
    <method name="Notify">
      <arg type="s" direction="in"/><arg type="u" direction="in"/><arg type="s" direction="in"/>
      <arg type="s" direction="in"/><arg type="s" direction="in"/><arg type="as" direction="in"/>
      <arg type="a{sv}" direction="in"/><arg type="i" direction="in"/>
      <arg type="u" direction="out"/>
    </method>
    <method name="CloseNotification"><arg type="u" direction="in"/></method>
    <method name="GetServerInformation">
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
    </method>
    <signal name="NotificationClosed"><arg type="u"/><arg type="u"/></signal>
    <signal name="ActionInvoked"><arg type="u"/><arg type="s"/></signal>
  </interface>
</node>
"""

CAPABILITIES = sys.argv[1:]
IDS = itertools.count(1)


def on_call(connection, _sender, path, interface, method, params, invocation):
    if method == "GetCapabilities":
        invocation.return_value(GLib.Variant("(as)", (CAPABILITIES,)))
    elif method == "Notify":
        replaces = params.unpack()[1]
        invocation.return_value(GLib.Variant("(u)", (replaces or next(IDS),)))
    elif method == "CloseNotification":
        (notification,) = params.unpack()
        invocation.return_value(None)
        # Reason 3: closed by a call to CloseNotification.
        connection.emit_signal(
            None, path, interface, "NotificationClosed", GLib.Variant("(uu)", (notification, 3))
        )
    elif method == "GetServerInformation":
        invocation.return_value(GLib.Variant("(ssss)", ("plain", "snaptray-tests", "1", "1.2")))


def on_bus(connection, _name):
    node = Gio.DBusNodeInfo.new_for_xml(INTERFACE)
    connection.register_object(
        "/org/freedesktop/Notifications", node.interfaces[0], on_call, None, None
    )


def on_lost(_connection, _name):
    sys.exit("org.freedesktop.Notifications is taken by another server.")


Gio.bus_own_name(
    Gio.BusType.SESSION,
    "org.freedesktop.Notifications",
    Gio.BusNameOwnerFlags.NONE,
    on_bus,
    None,
    on_lost,
)
GLib.MainLoop().run()

import Foundation

// Only a call here: closures written in main.swift are main-actor code, and libevent calls back on
// whatever thread runs the loop (docs/LIBEVENT.md).
exit(FakeKubeAPIServerMain.run(Array(CommandLine.arguments.dropFirst())))

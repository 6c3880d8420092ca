package main

import "github.com/alecthomas/kingpin/v2"

// commandFactories lets each command file register itself from an init
// function, so adding a command touches only its own file.
var commandFactories []func(*kingpin.Application) command

// extraCommands registers the commands that registered themselves.
func extraCommands(app *kingpin.Application) []command {
	var cmds []command
	for _, f := range commandFactories {
		cmds = append(cmds, f(app))
	}
	return cmds
}

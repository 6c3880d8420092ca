package main

import "github.com/alecthomas/kingpin/v2"

// extraCommands registers the generator and demo commands.
func extraCommands(app *kingpin.Application) []command {
	return nil
}

import ArgumentParser
import ClutchServer
@main struct Main: ParsableCommand {}

import ProcessTestSupport

/// Whether `python3 -c "import <modules>"` succeeds here: the Python-driven tests skip, saying
/// why, where what they need is not installed.
func pythonCanImport(_ modules: String) -> Bool {
    Subprocess.succeeds(["/usr/bin/env", "python3", "-c", "import \(modules)"])
}

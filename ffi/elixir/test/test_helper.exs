# A NIF that failed to load leaves only UndefinedFunctionErrors: stop here with the reason.
unless Code.ensure_loaded?(Fivetrex.Native) and function_exported?(Fivetrex.Native, :version, 0) do
  raise "the fivetrex NIF is not loaded (see the message above); build libfivetrex with " <>
          "`cargo build --features ffi` at the repository root, then run mix test again"
end

:persistent_term.put(:fivetrex_emulator, Fivetrex.Emulator.binary())
ExUnit.start()

# A NIF that failed to load leaves only UndefinedFunctionErrors: stop here with the reason.
unless Code.ensure_loaded?(Fivetrex.Native) and function_exported?(Fivetrex.Native, :version, 0) and
         is_binary(Fivetrex.Native.version()) do
  raise "the fivetrex NIF is not loaded (see the message above); build libfivetrex with `cargo build --features ffi`"
end

ExUnit.start()

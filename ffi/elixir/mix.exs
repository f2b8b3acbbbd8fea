defmodule Mix.Tasks.Compile.FivetrexNif do
  @moduledoc """
  Builds the NIF (`c_src/` -> `priv/fivetrex_nif.so`) with `make`, against `libfivetrex.so`
  (`../../target/debug` unless `FIVETREX_LIBDIR` says otherwise). Runs before the Elixir compiler.
  """
  use Mix.Task.Compiler

  @impl true
  def run(_args) do
    erl_include = Path.join([:code.root_dir(), "erts-#{:erlang.system_info(:version)}", "include"])
    env = [{"ERL_INCLUDE", erl_include}] ++ libdir_env()

    case System.cmd("make", ["--no-print-directory", "-C", File.cwd!()], env: env, stderr_to_stdout: true) do
      {_output, 0} ->
        # The priv/ link in _build must exist even on a fresh clone.
        Mix.Project.build_structure()
        {:ok, []}

      {output, status} ->
        Mix.shell().error("make failed (exit #{status}) building the fivetrex NIF:\n" <> output)
        {:error, []}
    end
  end

  defp libdir_env do
    case System.get_env("FIVETREX_LIBDIR") do
      nil -> []
      "" -> []
      dir -> [{"LIBDIR", Path.expand(dir)}]
    end
  end
end

defmodule Fivetrex.MixProject do
  use Mix.Project

  def project do
    [
      app: :fivetrex,
      version: "0.1.0",
      elixir: "~> 1.14",
      compilers: [:fivetrex_nif] ++ Mix.compilers(),
      elixirc_paths: elixirc_paths(Mix.env()),
      start_permanent: Mix.env() == :prod,
      deps: []
    ]
  end

  def application do
    [extra_applications: [:logger, :crypto]]
  end

  defp elixirc_paths(:test), do: ["lib", "test/support"]
  defp elixirc_paths(_), do: ["lib"]
end

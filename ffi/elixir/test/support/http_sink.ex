defmodule Fivetrex.HttpSink do
  @moduledoc """
  A one-shot HTTP receiver on loopback for webhook deliveries: `start/0` returns the URL;
  the first request is answered 200 and sent to the caller as
  `{:http_sink, method, path, headers, body}` (header names lower-cased).
  """

  def start do
    owner = self()

    {:ok, listen} =
      :gen_tcp.listen(0, [:binary, active: false, packet: :raw, reuseaddr: true, ip: {127, 0, 0, 1}])

    {:ok, port} = :inet.port(listen)

    spawn_link(fn ->
      {:ok, socket} = :gen_tcp.accept(listen, 10_000)
      {head, rest} = read_head(socket, "")
      [request_line | lines] = String.split(head, "\r\n")
      [method, path | _] = String.split(request_line, " ")

      headers =
        for line <- lines, line != "" do
          [k, v] = String.split(line, ":", parts: 2)
          {String.downcase(k), String.trim(v)}
        end

      length = headers |> List.keyfind("content-length", 0, {nil, "0"}) |> elem(1) |> String.to_integer()
      body = read_exactly(socket, rest, length)
      :ok = :gen_tcp.send(socket, "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
      :gen_tcp.close(socket)
      :gen_tcp.close(listen)
      send(owner, {:http_sink, method, path, headers, body})
    end)

    "http://127.0.0.1:#{port}"
  end

  defp read_head(socket, acc) do
    case :binary.split(acc, "\r\n\r\n") do
      [head, rest] ->
        {head, rest}

      [_] ->
        {:ok, more} = :gen_tcp.recv(socket, 0, 10_000)
        read_head(socket, acc <> more)
    end
  end

  defp read_exactly(_socket, acc, n) when byte_size(acc) >= n, do: binary_part(acc, 0, n)

  defp read_exactly(socket, acc, n) do
    {:ok, more} = :gen_tcp.recv(socket, 0, 10_000)
    read_exactly(socket, acc <> more, n)
  end
end

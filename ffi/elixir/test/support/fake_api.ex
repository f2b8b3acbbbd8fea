defmodule Fivetrex.FakeAPI do
  @moduledoc """
  A stand-in for the project's emulator until it lands: an in-memory Fivetran API on loopback
  (`:gen_tcp` with the VM's own HTTP packet parser, one process per connection, keep-alive)
  with groups, connectors, cursor pages, syncs that finish after a set time, injectable faults
  (status, Retry-After, delay) and a request count per method and path. Bodies are JSON made
  and read by the library itself (`Fivetrex.Native.json_encode/1`, `json_decode/1`).
  """

  alias Fivetrex.Native

  @key "key"
  @secret "secret"

  def key, do: @key
  def secret, do: @secret

  @doc "Starts a server linked to the caller; returns `%{url: ..., state: agent}`."
  def start(groups \\ 0, conns \\ 0) do
    {:ok, state} = Agent.start_link(fn -> seed(groups, conns) end)

    {:ok, listen} =
      :gen_tcp.listen(0, [:binary, packet: :http_bin, active: false, reuseaddr: true, ip: {127, 0, 0, 1}])

    {:ok, port} = :inet.port(listen)
    owner = self()
    acceptor = spawn_link(fn -> accept(listen, state, owner) end)
    :ok = :gen_tcp.controlling_process(listen, acceptor)
    %{url: "http://127.0.0.1:#{port}", state: state}
  end

  @doc "Requests seen for \"METHOD /path\"."
  def count(%{state: s}, key), do: Agent.get(s, &Map.get(&1.hits, key, 0))

  @doc "Connections currently open to the server."
  def open_connections(%{state: s}), do: Agent.get(s, & &1.open)

  @doc "Adds a fault: the next `times` requests to method + path get it."
  def inject(%{state: s}, method, path, fault) do
    fault =
      Map.merge(
        %{method: method, path: path, status: nil, code: "Injected", retry_after: nil, delay: 0},
        fault
      )

    Agent.update(s, &%{&1 | faults: &1.faults ++ [fault]})
  end

  @doc "Changes a connector: `set(api, id, outcome: \"failure\", sync_ms: 0)`."
  def set(%{state: s}, id, changes) do
    Agent.update(s, fn st ->
      %{st | conns: Enum.map(st.conns, &if(&1.id == id, do: Map.merge(&1, Map.new(changes)), else: &1))}
    end)
  end

  defp seed(groups, conns) do
    base = ~U[2024-01-02 03:04:05Z]

    gs = for g <- 0..(groups - 1)//1, do: %{id: "g#{g}", name: "group #{g}", created_at: base}

    cs =
      for g <- 0..(groups - 1)//1, c <- 0..(conns - 1)//1 do
        %{
          id: "c#{g}_#{c}",
          group_id: "g#{g}",
          service: "postgres",
          schema: "schema_#{g}_#{c}",
          paused: false,
          setup_state: "connected",
          frequency: 60,
          succeeded: DateTime.add(base, c * 60, :second),
          failed: nil,
          outcome: "success",
          sync_ms: 30,
          sync_ends: nil
        }
      end

    %{groups: gs, conns: cs, hits: %{}, faults: [], open: 0, next: 0}
  end

  # ---- HTTP ------------------------------------------------------------------------------------

  defp accept(listen, state, owner) do
    case :gen_tcp.accept(listen) do
      {:ok, sock} ->
        pid = spawn(fn -> receive(do: (:go -> connection(sock, state))) end)
        :ok = :gen_tcp.controlling_process(sock, pid)
        send(pid, :go)
        accept(listen, state, owner)

      {:error, _} ->
        :ok
    end
  end

  defp connection(sock, state) do
    Agent.update(state, &%{&1 | open: &1.open + 1})
    serve(sock, state)
    Agent.update(state, &%{&1 | open: &1.open - 1})
  end

  defp serve(sock, state) do
    case read_request(sock) do
      {:ok, req} ->
        {status, headers, body} = handle(req, state)

        head =
          [
            "HTTP/1.1 #{status} X\r\n",
            "content-type: application/json\r\n",
            "content-length: #{byte_size(body)}\r\n"
          ] ++
            Enum.map(headers, fn {k, v} -> "#{k}: #{v}\r\n" end) ++ ["\r\n"]

        :ok = :gen_tcp.send(sock, [head, body])
        serve(sock, state)

      :closed ->
        :gen_tcp.close(sock)
    end
  end

  defp read_request(sock) do
    with {:ok, {:http_request, method, {:abs_path, target}, _}} <- :gen_tcp.recv(sock, 0),
         {:ok, headers} <- read_headers(sock, %{}),
         {:ok, body} <- read_body(sock, String.to_integer(Map.get(headers, "content-length", "0"))) do
      uri = URI.parse(target)

      {:ok,
       %{
         method: to_string(method),
         path: uri.path,
         query: URI.decode_query(uri.query || ""),
         headers: headers,
         body: body
       }}
    else
      _ -> :closed
    end
  end

  defp read_headers(sock, acc) do
    case :gen_tcp.recv(sock, 0) do
      {:ok, {:http_header, _, name, _, value}} ->
        read_headers(sock, Map.put(acc, String.downcase(to_string(name)), value))

      {:ok, :http_eoh} ->
        {:ok, acc}

      _ ->
        :closed
    end
  end

  defp read_body(_sock, 0), do: {:ok, ""}

  defp read_body(sock, n) do
    :ok = :inet.setopts(sock, packet: :raw)
    result = :gen_tcp.recv(sock, n)
    :ok = :inet.setopts(sock, packet: :http_bin)
    result
  end

  # ---- the API ---------------------------------------------------------------------------------

  defp handle(req, state) do
    key = "#{req.method} #{req.path}"

    fault =
      Agent.get_and_update(state, fn st ->
        st = %{st | hits: Map.update(st.hits, key, 1, &(&1 + 1))}

        case Enum.split_with(st.faults, &(&1.method == req.method and &1.path == req.path)) do
          {[f | rest], others} ->
            left = if Map.get(f, :times, 1) > 1, do: [Map.update(f, :times, 1, &(&1 - 1)) | rest], else: rest
            {f, %{st | faults: others ++ left}}

          {[], _} ->
            {nil, st}
        end
      end)

    if fault, do: Process.sleep(fault.delay)

    cond do
      req.headers["authorization"] != "Basic " <> Base.encode64("#{@key}:#{@secret}") ->
        error(401, "AuthFailed", "bad credentials")

      fault != nil and fault.status != nil ->
        headers = if fault.retry_after, do: [{"retry-after", fault.retry_after}], else: []
        {s, _, b} = error(fault.status, fault.code, "injected")
        {s, headers, b}

      true ->
        body = if req.body == "", do: %{}, else: elem(Native.json_decode(req.body), 1)

        Agent.get_and_update(state, fn st -> route(req, String.split(req.path, "/", trim: true), body, st) end)
    end
  end

  defp route(%{method: "GET"} = req, ["v1", "groups"], _body, st), do: {page(req, st.groups, &group/1), st}

  defp route(%{method: "POST"}, ["v1", "groups"], body, st) do
    g = %{id: "new#{st.next}", name: body["name"], created_at: DateTime.utc_now()}
    {ok(201, group(g)), %{st | groups: st.groups ++ [g], next: st.next + 1}}
  end

  defp route(%{method: "GET"} = req, ["v1", "groups", id, "connections"], _body, st) do
    if Enum.any?(st.groups, &(&1.id == id)) do
      now = DateTime.utc_now()
      conns = st.conns |> Enum.filter(&(&1.group_id == id)) |> Enum.map(&progress(&1, now))
      {page(req, conns, &connector/1), st}
    else
      {error(404, "NotFound_Group", "no group #{id}"), st}
    end
  end

  defp route(req, ["v1", "groups", id], body, st) do
    case {req.method, Enum.find(st.groups, &(&1.id == id))} do
      {_, nil} -> {error(404, "NotFound_Group", "no group #{id}"), st}
      {"GET", g} -> {ok(200, group(g)), st}
      {"PATCH", g} -> update_group(st, %{g | name: body["name"]})
      {"DELETE", g} -> {action("deleted"), %{st | groups: List.delete(st.groups, g)}}
    end
  end

  defp route(%{method: "POST"}, ["v1", "connections"], body, st) do
    c = %{
      id: "newc#{st.next}",
      group_id: body["group_id"],
      service: body["service"],
      schema: "new",
      paused: body["paused"] == true,
      setup_state: "incomplete",
      frequency: 360,
      succeeded: nil,
      failed: nil,
      outcome: "success",
      sync_ms: 30,
      sync_ends: nil
    }

    {ok(201, connector(c)), %{st | conns: st.conns ++ [c], next: st.next + 1}}
  end

  defp route(req, ["v1", "connections", id | rest], body, st) do
    now = DateTime.utc_now()

    case Enum.find(st.conns, &(&1.id == id)) do
      nil ->
        {error(404, "NotFound_Connector", "no connection #{id}"), st}

      c ->
        c = progress(c, now)

        case {req.method, rest} do
          {"GET", []} ->
            {ok(200, connector(c)), put_conn(st, c)}

          {"PATCH", []} ->
            c = %{
              c
              | paused: Map.get(body, "paused", c.paused),
                frequency: Map.get(body, "sync_frequency", c.frequency)
            }

            {ok(200, connector(c)), put_conn(st, c)}

          {"DELETE", []} ->
            {action("deleted"), %{st | conns: Enum.reject(st.conns, &(&1.id == id))}}

          {"POST", ["sync"]} ->
            cond do
              c.paused ->
                {error(409, "Conflict", "paused"), st}

              c.sync_ends != nil and body["force"] != true ->
                {action("already syncing"), put_conn(st, c)}

              true ->
                {action("Sync has been successfully triggered"),
                 put_conn(st, %{c | sync_ends: DateTime.add(now, c.sync_ms, :millisecond)})}
            end

          {"POST", ["resync"]} ->
            {action("Re-sync has been triggered"), st}

          _ ->
            {error(404, "NotFound", "no route"), st}
        end
    end
  end

  defp route(req, _, _body, st), do: {error(404, "NotFound", "no route #{req.method} #{req.path}"), st}

  defp update_group(st, g),
    do: {ok(200, group(g)), %{st | groups: Enum.map(st.groups, &if(&1.id == g.id, do: g, else: &1))}}

  defp put_conn(st, c), do: %{st | conns: Enum.map(st.conns, &if(&1.id == c.id, do: c, else: &1))}

  # A sync whose time is up ends with its outcome; "never" keeps syncing.
  defp progress(%{sync_ends: nil} = c, _now), do: c
  defp progress(%{outcome: "never"} = c, _now), do: c

  defp progress(c, now) do
    cond do
      DateTime.compare(now, c.sync_ends) == :lt -> c
      c.outcome == "failure" -> %{c | failed: c.sync_ends, sync_ends: nil}
      true -> %{c | succeeded: c.sync_ends, sync_ends: nil}
    end
  end

  defp page(req, all, render) do
    limit = String.to_integer(Map.get(req.query, "limit", "100"))
    start = String.to_integer(Base.url_decode64!(Map.get(req.query, "cursor", Base.url_encode64("0"))))
    items = all |> Enum.drop(start) |> Enum.take(limit)
    next = if start + limit < length(all), do: Base.url_encode64("#{start + limit}")
    ok(200, %{"items" => Enum.map(items, render), "next_cursor" => next})
  end

  defp group(g), do: %{"id" => g.id, "name" => g.name, "created_at" => DateTime.to_iso8601(g.created_at)}

  defp connector(c) do
    state =
      cond do
        c.paused -> "paused"
        c.sync_ends -> "syncing"
        true -> "scheduled"
      end

    %{
      "id" => c.id,
      "group_id" => c.group_id,
      "service" => c.service,
      "schema" => c.schema,
      "paused" => c.paused,
      "sync_frequency" => c.frequency,
      "schedule_type" => "auto",
      "succeeded_at" => c.succeeded && DateTime.to_iso8601(c.succeeded),
      "failed_at" => c.failed && DateTime.to_iso8601(c.failed),
      "status" => %{
        "setup_state" => c.setup_state,
        "sync_state" => state,
        "update_state" => "on_schedule",
        "tasks" => [],
        "warnings" => []
      },
      "config" => %{"host" => "db.example", "password" => "******"}
    }
  end

  defp ok(status, data), do: {status, [], json(%{"code" => "Success", "data" => data})}
  defp action(message), do: {200, [], json(%{"code" => "Success", "message" => message})}
  defp error(status, code, message), do: {status, [], json(%{"code" => code, "message" => message})}

  defp json(term) do
    {:ok, text} = Native.json_encode(term)
    text
  end
end

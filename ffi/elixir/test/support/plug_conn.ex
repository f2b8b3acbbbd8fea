defmodule Plug.Conn do
  @moduledoc """
  A stand-in for the few `Plug.Conn` functions `Fivetrex.WebhookPlug` calls, so that the plug is
  tested here without Plug (Hex is not reachable; our package must not depend on Plug). Same
  names, arities and return shapes as Plug's; `read_body/2` honours `:length` to return
  `{:more, part, conn}` as Plug does for bodies read in parts.
  """
  defstruct method: "POST",
            request_path: "/",
            req_headers: [],
            resp_headers: [],
            assigns: %{},
            private: %{},
            halted: false,
            status: nil,
            resp_body: nil,
            state: :unset,
            body: ""

  def assign(conn, key, value), do: %{conn | assigns: Map.put(conn.assigns, key, value)}
  def put_private(conn, key, value), do: %{conn | private: Map.put(conn.private, key, value)}
  def get_req_header(conn, key), do: for({^key, v} <- conn.req_headers, do: v)
  def put_req_header(conn, key, value), do: %{conn | req_headers: [{key, value} | conn.req_headers]}

  def put_resp_content_type(conn, type),
    do: %{conn | resp_headers: [{"content-type", type <> "; charset=utf-8"} | conn.resp_headers]}

  def send_resp(%{state: :sent}, _status, _body), do: raise("already sent")
  def send_resp(conn, status, body), do: %{conn | status: status, resp_body: body, state: :sent}
  def halt(conn), do: %{conn | halted: true}

  def read_body(conn, opts \\ []) do
    length = Keyword.get(opts, :length, 8_000_000)

    if byte_size(conn.body) > length do
      <<part::binary-size(length), rest::binary>> = conn.body
      {:more, part, %{conn | body: rest}}
    else
      {:ok, conn.body, %{conn | body: ""}}
    end
  end

  @doc "A conn for tests: `new(\"POST\", body, [{header, value}])`."
  def new(method, body, headers \\ []), do: %__MODULE__{method: method, body: body, req_headers: headers}
end

package fivetrex

import (
	"context"
	"encoding/json"
)

// Team is a team of users (TeamResponse in the API's spec).
type Team struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Role        string `json:"role"` // the team's account role; "" when it has none
	// Raw is the team as the API sent it, every field included.
	Raw json.RawMessage `json:"-"`
}

func (t *Team) setRaw(b json.RawMessage) { t.Raw = b }

// TeamFamily: list_all_teams, team_details, create_team, modify_team, delete_team, and the
// team's users, its memberships in groups and connections and its account role.
type TeamFamily struct{ Family[Team] }

// Teams is the teams of the account.
func (c *Client) Teams() TeamFamily {
	return TeamFamily{Family[Team]{c, "list_all_teams", "team_details", "create_team", "modify_team", "delete_team", "teamId"}}
}

// Users are a team's members (list_users_in_team, add_user_to_team, get_user_in_team,
// update_user_membership, delete_user_from_team); the member id is the user's.
func (f TeamFamily) Users(teamID string) Memberships[TeamMembership] {
	return Memberships[TeamMembership]{f.c, map[string]any{"teamId": teamID}, "list_users_in_team",
		"get_user_in_team", "add_user_to_team", "update_user_membership", "delete_user_from_team", "userId", "user_id"}
}

// Groups are a team's memberships in groups (get_team_memberships_in_groups,
// add_team_membership_in_group, get_/update_/delete_team_membership_in_group).
func (f TeamFamily) Groups(teamID string) Memberships[Membership] {
	return Memberships[Membership]{f.c, map[string]any{"teamId": teamID}, "get_team_memberships_in_groups",
		"get_team_membership_in_group", "add_team_membership_in_group", "update_team_membership_in_group",
		"delete_team_membership_in_group", "groupId", "id"}
}

// Connections are a team's memberships in connections (get_team_memberships_in_connections,
// add_team_membership_in_connection, get_/update_/delete_team_membership_in_connection).
func (f TeamFamily) Connections(teamID string) Memberships[Membership] {
	return Memberships[Membership]{f.c, map[string]any{"teamId": teamID}, "get_team_memberships_in_connections",
		"get_team_membership_in_connection", "add_team_membership_in_connection", "update_team_membership_in_connection",
		"delete_team_membership_in_connection", "connectionId", "id"}
}

// RemoveAccountRole takes the team's account role away (delete_team_membership_in_account);
// confirm must repeat teamID, or nothing is sent (KindConfirmationRequired).
func (f TeamFamily) RemoveAccountRole(ctx context.Context, teamID, confirm string) error {
	return send(ctx, f.c, "delete_team_membership_in_account", map[string]any{"teamId": teamID}, nil, confirm)
}

// Role is an account, destination, connector or team role (RoleResponse in the API's spec).
type Role struct {
	Name                string   `json:"name"`
	Description         string   `json:"description"`
	Scope               []string `json:"scope"` // ACCOUNT, DESTINATION, CONNECTOR, TEAM
	IsCustom            bool     `json:"is_custom"`
	IsDeprecated        bool     `json:"is_deprecated"`
	ReplacementRoleName string   `json:"replacement_role_name"`
	// Raw is the role as the API sent it, every field included.
	Raw json.RawMessage `json:"-"`
}

func (r *Role) setRaw(b json.RawMessage) { r.Raw = b }

// Roles: list_all_roles (the API has no other role operation).
func (c *Client) Roles() Family[Role] {
	return Family[Role]{c: c, list: "list_all_roles"}
}

package fivetrex

import (
	"context"
	"encoding/json"
	"time"
)

// User is a user of the Fivetran account (UserResponse in the API's spec).
type User struct {
	ID         string     `json:"id"`
	Email      string     `json:"email"`
	GivenName  string     `json:"given_name"`
	FamilyName string     `json:"family_name"`
	Verified   bool       `json:"verified"`
	Invited    bool       `json:"invited"`
	Picture    string     `json:"picture"`
	Phone      string     `json:"phone"`
	Role       string     `json:"role"` // the account role; "" when the user has none
	Active     bool       `json:"active"`
	LoggedInAt *time.Time `json:"logged_in_at"`
	CreatedAt  *time.Time `json:"created_at"`
	// Raw is the user as the API sent it, every field included.
	Raw json.RawMessage `json:"-"`
}

func (u *User) setRaw(b json.RawMessage) { u.Raw = b }

// NewUser is what UserFamily.Create sends (InviteUser); unset fields are left out.
type NewUser struct {
	Email      string `json:"email"`
	GivenName  string `json:"given_name"`
	FamilyName string `json:"family_name"`
	Phone      string `json:"phone,omitempty"`
	Picture    string `json:"picture,omitempty"`
	Role       string `json:"role,omitempty"`
}

// UserFamily: list_all_users, user_details, create_user, modify_user, delete_user, and the
// user's memberships in groups and connections and its account role.
type UserFamily struct{ Family[User] }

// Users is the users of the account.
func (c *Client) Users() UserFamily {
	return UserFamily{Family[User]{c, "list_all_users", "user_details", "create_user", "modify_user", "delete_user", "userId"}}
}

// Groups are a user's memberships in groups (get_user_memberships_in_groups,
// add_user_membership_in_group, get_/update_/delete_user_membership_in_group).
func (f UserFamily) Groups(userID string) Memberships[Membership] {
	return Memberships[Membership]{f.c, map[string]any{"userId": userID}, "get_user_memberships_in_groups",
		"get_user_membership_in_group", "add_user_membership_in_group", "update_user_membership_in_group",
		"delete_user_membership_in_group", "groupId", "id"}
}

// Connections are a user's memberships in connections (get_user_memberships_in_connections,
// add_user_membership_in_connection, get_user_membership_in_connections,
// update_/delete_user_membership_in_connection).
func (f UserFamily) Connections(userID string) Memberships[Membership] {
	return Memberships[Membership]{f.c, map[string]any{"userId": userID}, "get_user_memberships_in_connections",
		"get_user_membership_in_connections", "add_user_membership_in_connection", "update_user_membership_in_connection",
		"delete_user_membership_in_connection", "connectionId", "id"}
}

// RemoveAccountRole takes the user's account role away (delete_user_membership_in_account);
// confirm must repeat userID, or nothing is sent (KindConfirmationRequired).
func (f UserFamily) RemoveAccountRole(ctx context.Context, userID, confirm string) error {
	return send(ctx, f.c, "delete_user_membership_in_account", map[string]any{"userId": userID}, nil, confirm)
}

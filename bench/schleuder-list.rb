# bench/schleuder-list.rb: one Schleuder list for bench/peers.sh, made
# through Schleuder's own library (what its API daemon does for
# schleuder-cli "lists new" and "subscriptions new"), no daemon running.
#
#	SCHLEUDER_CONFIG=.. SCHLEUDER_LIST_DEFAULTS=.. \
#	    ruby schleuder-list.rb LISTADDR LISTFPR MEMBERS
#
# MEMBERS: lines "address fingerprint"; the first is the list's admin.
# The list's secret key and every member's public key are in the list's
# keyring already (LISTS_DIR/DOMAIN/LOCALPART).
$VERBOSE = nil
require 'schleuder'

addr, fpr, members = ARGV
subs = File.readlines(members).map(&:split)
admin, admin_fpr = subs.first
list, msg = Schleuder::ListBuilder.new({ email: addr, fingerprint: fpr },
                                       admin, admin_fpr).run
if list.nil? || list.errors.any?
  abort "list #{addr}: #{msg.inspect} #{list&.errors&.full_messages}"
end
subs.drop(1).each do |email, key|
  sub, = list.subscribe(email, key, false, true)
  abort "subscribe #{email}: #{sub.errors.full_messages}" if sub.errors.any?
end
puts "#{addr}: #{list.subscriptions.count} subscriptions"
